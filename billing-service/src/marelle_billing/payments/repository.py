"""Payments, allocations, refunds, online transactions and refused attempts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import col

from marelle_billing.models import (
    Allocation,
    Invoice,
    InvoiceKind,
    Payment,
    PaymentIncident,
    PaymentTransaction,
    Refund,
)
from marelle_kit.repository import Repository


class PaymentRepository(Repository[Payment]):
    model = Payment

    async def by_ids(self, ids: Sequence[UUID]) -> list[Payment]:
        if not ids:
            return []
        return list(
            await self.session.scalars(sa.select(Payment).where(col(Payment.id).in_(list(ids))))
        )

    async def by_transaction(self, transaction_id: UUID) -> Payment | None:
        return await self.session.scalar(
            sa.select(Payment).where(col(Payment.transaction_id) == transaction_id)
        )

    async def allocate(
        self, tenant_id: UUID, payment_id: UUID, invoice_id: UUID, amount_cents: int
    ) -> None:
        self.session.add(
            Allocation(
                tenant_id=tenant_id,
                payment_id=payment_id,
                invoice_id=invoice_id,
                amount_cents=amount_cents,
            )
        )
        await self.session.flush()

    async def allocations_of_payment(self, payment_id: UUID) -> list[Allocation]:
        return list(
            await self.session.scalars(
                sa.select(Allocation).where(col(Allocation.payment_id) == payment_id)
            )
        )

    async def allocated_by_mode(self, invoice_ids: Sequence[UUID], mode: str) -> dict[UUID, int]:
        """Per invoice, what payments of ``mode`` already paid of it (the CESU caps)."""
        if not invoice_ids:
            return {}
        rows = await self.session.execute(
            sa.select(col(Allocation.invoice_id), sa.func.sum(col(Allocation.amount_cents)))
            .join(Payment, col(Payment.id) == col(Allocation.payment_id))
            .where(col(Allocation.invoice_id).in_(list(invoice_ids)), col(Payment.mode) == mode)
            .group_by(col(Allocation.invoice_id))
        )
        return {row[0]: int(row[1] or 0) for row in rows}

    async def credit_notes_total(self, invoice_id: UUID) -> int:
        """What credit notes already took off an invoice (positive cents)."""
        total = await self.session.scalar(
            sa.select(sa.func.sum(col(Invoice.total_cents))).where(
                col(Invoice.corrects_invoice_id) == invoice_id,
                col(Invoice.kind) == InvoiceKind.CREDIT_NOTE,
            )
        )
        return -int(total or 0)

    async def of_household(self, tenant_id: UUID, household_id: UUID) -> list[Payment]:
        query = (
            self.scoped(tenant_id)
            .where(col(Payment.household_id) == household_id)
            .order_by(col(Payment.received_on), col(Payment.created_at))
        )
        return list(await self.session.scalars(query))

    async def refunds_of(self, tenant_id: UUID, household_id: UUID) -> list[Refund]:
        return list(
            await self.session.scalars(
                sa.select(Refund)
                .where(col(Refund.tenant_id) == tenant_id, col(Refund.household_id) == household_id)
                .order_by(col(Refund.refunded_on), col(Refund.created_at))
            )
        )

    async def add_refund(self, refund: Refund) -> None:
        self.session.add(refund)
        await self.session.flush()

    async def received_between(self, tenant_id: UUID, first: date, last: date) -> list[Payment]:
        query = (
            self.scoped(tenant_id)
            .where(col(Payment.received_on) >= first, col(Payment.received_on) <= last)
            .order_by(col(Payment.received_on), col(Payment.mode), col(Payment.created_at))
        )
        return list(await self.session.scalars(query))

    async def refunds_between(self, tenant_id: UUID, first: date, last: date) -> list[Refund]:
        return list(
            await self.session.scalars(
                sa.select(Refund)
                .where(
                    col(Refund.tenant_id) == tenant_id,
                    col(Refund.refunded_on) >= first,
                    col(Refund.refunded_on) <= last,
                )
                .order_by(col(Refund.refunded_on))
            )
        )


class TransactionRepository(Repository[PaymentTransaction]):
    model = PaymentTransaction

    async def find(self, transaction_id: UUID) -> PaymentTransaction | None:
        """By id whatever the tenant (a provider's call carries no token): the caller checks
        the tenant."""
        return await self.session.get(PaymentTransaction, transaction_id)

    async def lock(self, transaction_id: UUID) -> PaymentTransaction | None:
        return await self.session.scalar(
            sa.select(PaymentTransaction)
            .where(col(PaymentTransaction.id) == transaction_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )

    async def unsettled_before(self, cutoff: datetime, limit: int) -> list[PaymentTransaction]:
        return list(
            await self.session.scalars(
                sa.select(PaymentTransaction)
                .where(
                    col(PaymentTransaction.state).in_(["created", "running"]),
                    col(PaymentTransaction.created_at) < cutoff,
                    sa.or_(
                        col(PaymentTransaction.last_polled_at).is_(None),
                        col(PaymentTransaction.last_polled_at) < cutoff,
                    ),
                )
                .order_by(col(PaymentTransaction.created_at))
                .limit(limit)
            )
        )

    async def add_incident(self, incident: PaymentIncident) -> None:
        self.session.add(incident)
        await self.session.flush()

    async def incidents(self, tenant_id: UUID, *, limit: int) -> list[PaymentIncident]:
        return list(
            await self.session.scalars(
                sa.select(PaymentIncident)
                .where(col(PaymentIncident.tenant_id) == tenant_id)
                .order_by(col(PaymentIncident.created_at).desc())
                .limit(limit)
            )
        )
