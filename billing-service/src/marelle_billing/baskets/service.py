"""The prepaid meal basket: open -> to_be_paid -> completed | expired | cancelled.

An open basket holds its meals for the town's delay; one being paid gets 60 more minutes of
grace (the payer is on the provider's page). Expired or cancelled: ``billing.basket.expired``
tells booking to release the places. Paid: a ``basket`` payment, left as a credit that the
next invoice (which bills those meals) uses first.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING
from uuid import UUID

from marelle_billing.access import check_household
from marelle_billing.baskets.repository import BasketRepository
from marelle_billing.baskets.schemas import (
    BasketIn,
    BasketItemIn,
    BasketItemOut,
    BasketOut,
    BasketPaymentOut,
)
from marelle_billing.errors import BasketConflict
from marelle_billing.models import (
    Basket,
    BasketItem,
    BasketState,
    Payment,
    PaymentTransaction,
    ProviderPurpose,
    TransactionState,
    events,
)
from marelle_billing.profile.service import ProfileService
from marelle_billing.settings import BillingSettings
from marelle_billing.tariffs.engine import Pricer
from marelle_billing.tariffs.pricing import CellInput
from marelle_billing.tariffs.repository import PricingLoader
from marelle_contracts import BasketExpired, BasketLine, BasketPaid
from marelle_kit.clock import utcnow
from marelle_kit.database import WriteSession
from marelle_kit.errors import NotFound
from marelle_kit.events import record_events
from marelle_kit.localtime import local_today
from marelle_kit.security import Principal

if TYPE_CHECKING:
    from marelle_billing.payments.service import IncidentLog


class BasketService:
    def __init__(
        self, session: WriteSession, settings: BillingSettings, incidents: IncidentLog
    ) -> None:
        self.session = session
        self.settings = settings
        self.incidents = incidents
        self.baskets = BasketRepository(session)
        self.profiles = ProfileService(session)

    async def _out(self, basket: Basket) -> BasketOut:
        items = await self.baskets.items(basket.id)
        return BasketOut(
            id=basket.id,
            household_id=basket.household_id,
            state=basket.state,
            total_cents=basket.total_cents,
            expires_at=basket.expires_at,
            transaction_id=basket.transaction_id,
            items=[
                BasketItemOut(
                    id=i.id,
                    child_id=i.child_id,
                    activity_id=i.activity_id,
                    day=i.day,
                    unit_price=i.unit_price,
                    amount_cents=i.amount_cents,
                    rule=i.rule,
                )
                for i in items
            ],
            created_at=basket.created_at,
        )

    async def _basket(self, tenant_id: UUID, principal: Principal, basket_id: UUID) -> Basket:
        basket = await self.baskets.get(tenant_id, basket_id)
        if basket is None:
            raise NotFound("Ce panier n'existe pas.")
        check_household(principal, basket.household_id)
        locked = await self.baskets.lock(basket.id)
        assert locked is not None
        return locked

    async def create(self, tenant_id: UUID, principal: Principal, data: BasketIn) -> BasketOut:
        check_household(principal, data.household_id)
        if await self.baskets.pending_of(tenant_id, data.household_id) is not None:
            raise BasketConflict("Un panier est déjà en cours : complétez-le ou annulez-le.")
        profile = await self.profiles.profile(tenant_id)
        basket = Basket(
            tenant_id=tenant_id,
            household_id=data.household_id,
            expires_at=utcnow() + timedelta(minutes=profile.basket_hold_minutes),
        )
        await self.baskets.add(basket)
        await self._add_items(basket, data.items)
        return await self._out(basket)

    async def add_items(
        self, tenant_id: UUID, principal: Principal, basket_id: UUID, items: list[BasketItemIn]
    ) -> BasketOut:
        basket = await self._basket(tenant_id, principal, basket_id)
        if basket.state != BasketState.OPEN:
            raise BasketConflict("Ce panier n'est plus modifiable.")
        await self._add_items(basket, items)
        return await self._out(basket)

    async def _add_items(self, basket: Basket, items: list[BasketItemIn]) -> None:
        pricing = await PricingLoader(self.session).load(basket.tenant_id, [basket.household_id])
        pricer = Pricer(pricing)
        existing = {(i.child_id, i.activity_id, i.day) for i in await self.baskets.items(basket.id)}
        today = local_today()
        for item in items:
            key = (item.child_id, item.activity_id, item.day)
            if key in existing:
                continue
            child = pricing.children.get(item.child_id)
            if child is None or child.household_id != basket.household_id:
                raise NotFound("Cet enfant n'est pas connu pour ce foyer.")
            if item.day < today:
                raise BasketConflict(f"Le {item.day:%d/%m/%Y} est passé.")
            priced = pricer.price(
                basket.household_id,
                item.child_id,
                item.activity_id,
                item.day,
                CellInput("booked"),
            )
            if priced.error is not None or not priced.price.parts:
                raise BasketConflict(priced.error or "Ce repas n'a pas de prix.")
            part = priced.price.parts[0]
            await self.baskets.add_item(
                BasketItem(
                    tenant_id=basket.tenant_id,
                    basket_id=basket.id,
                    child_id=item.child_id,
                    activity_id=item.activity_id,
                    day=item.day,
                    unit_price=part.unit_price,
                    amount_cents=priced.price.amount_cents,
                    rule=" + ".join(p.rule for p in priced.price.parts)[:300],
                )
            )
            basket.total_cents += priced.price.amount_cents
            existing.add(key)
        await self.baskets.add(basket)

    async def remove_item(
        self, tenant_id: UUID, principal: Principal, basket_id: UUID, item_id: UUID
    ) -> BasketOut:
        basket = await self._basket(tenant_id, principal, basket_id)
        if basket.state != BasketState.OPEN:
            raise BasketConflict("Ce panier n'est plus modifiable.")
        item = await self.baskets.item(basket.id, item_id)
        if item is None:
            raise NotFound("Cette ligne n'est pas dans le panier.")
        basket.total_cents -= item.amount_cents
        await self.baskets.delete_item(item)
        await self.baskets.add(basket)
        return await self._out(basket)

    async def view(self, tenant_id: UUID, principal: Principal, basket_id: UUID) -> BasketOut:
        basket = await self.baskets.get(tenant_id, basket_id)
        if basket is None:
            raise NotFound("Ce panier n'existe pas.")
        check_household(principal, basket.household_id)
        return await self._out(basket)

    async def of_household(
        self, tenant_id: UUID, principal: Principal, household_id: UUID
    ) -> list[BasketOut]:
        check_household(principal, household_id)
        return [
            await self._out(b) for b in await self.baskets.of_household(tenant_id, household_id)
        ]

    async def pay(
        self, tenant_id: UUID, principal: Principal, basket_id: UUID, email: str | None
    ) -> BasketPaymentOut:
        from marelle_billing.payments.service import PaymentService

        basket = await self._basket(tenant_id, principal, basket_id)
        if basket.state != BasketState.OPEN:
            raise BasketConflict("Ce panier n'est pas ouvert.")
        if basket.total_cents <= 0:
            raise BasketConflict("Ce panier est vide.")
        purpose = (
            ProviderPurpose.BASKETS
            if await self.profiles.online_enabled(tenant_id, ProviderPurpose.BASKETS)
            else ProviderPurpose.INVOICES
        )
        payment = await PaymentService(self.session, self.settings, self.incidents)._start(
            tenant_id,
            basket.household_id,
            purpose,
            basket.total_cents,
            [],
            subject="Panier de repas",
            email=email,
            year=local_today().year,
            basket_id=basket.id,
        )
        basket.state = BasketState.TO_BE_PAID
        basket.transaction_id = payment.transaction_id
        await self.baskets.add(basket)
        return BasketPaymentOut(basket=await self._out(basket), payment=payment)

    async def cancel(self, tenant_id: UUID, principal: Principal, basket_id: UUID) -> BasketOut:
        basket = await self._basket(tenant_id, principal, basket_id)
        if basket.state != BasketState.OPEN:
            raise BasketConflict("Seul un panier ouvert s'annule (un paiement est en cours).")
        await self._release(basket, BasketState.CANCELLED)
        return await self._out(basket)

    async def _release(self, basket: Basket, state: BasketState) -> None:
        basket.state = state
        await self.baskets.add(basket)
        items = await self.baskets.items(basket.id)
        await record_events(
            self.session,
            events,
            [
                (
                    BasketExpired(
                        household_id=basket.household_id,
                        basket_id=basket.id,
                        reason="cancelled" if state == BasketState.CANCELLED else "expired",
                        lines=[
                            BasketLine(child_id=i.child_id, activity_id=i.activity_id, day=i.day)
                            for i in items
                        ],
                    ),
                    basket.household_id,
                )
            ],
            tenant_id=basket.tenant_id,
        )

    # --- called by the payment's settlement (under the transaction's lock) -----------------
    async def paid(self, transaction: PaymentTransaction, payment: Payment) -> None:
        assert transaction.basket_id is not None
        basket = await self.baskets.lock(transaction.basket_id)
        if basket is None:
            return
        if basket.state in (BasketState.EXPIRED, BasketState.CANCELLED):
            # Paid after its places were released: the money stays the family's credit
            # (used on the next invoice, or refunded); the meals are not confirmed.
            basket.payment_id = payment.id
            await self.baskets.add(basket)
            return
        basket.state = BasketState.COMPLETED
        basket.payment_id = payment.id
        await self.baskets.add(basket)
        items = await self.baskets.items(basket.id)
        await record_events(
            self.session,
            events,
            [
                (
                    BasketPaid(
                        household_id=basket.household_id,
                        basket_id=basket.id,
                        amount_cents=payment.amount_cents,
                        lines=[
                            BasketLine(child_id=i.child_id, activity_id=i.activity_id, day=i.day)
                            for i in items
                        ],
                    ),
                    basket.household_id,
                )
            ],
            tenant_id=basket.tenant_id,
        )

    async def payment_failed(self, transaction: PaymentTransaction) -> None:
        assert transaction.basket_id is not None
        basket = await self.baskets.lock(transaction.basket_id)
        if basket is not None and basket.state == BasketState.TO_BE_PAID:
            basket.state = BasketState.OPEN  # the family may try again until it expires
            basket.transaction_id = None
            await self.baskets.add(basket)

    async def expire_due(self, limit: int = 100) -> int:
        """Release the baskets past their hold (open) or their grace (being paid). A basket
        being paid is first settled with its provider (where it can be asked), without the
        basket's lock: settlement locks the transaction, then the basket."""
        from marelle_billing.payments.providers import ProviderResult
        from marelle_billing.payments.repository import TransactionRepository
        from marelle_billing.payments.service import PaymentService

        now = utcnow()
        grace = timedelta(minutes=self.settings.basket_grace_minutes)
        due = await self.baskets.due_for_expiry(now, now - grace, limit)
        payments = PaymentService(self.session, self.settings, self.incidents)
        for candidate in due:
            if candidate.state == BasketState.TO_BE_PAID and candidate.transaction_id is not None:
                transaction = await TransactionRepository(self.session).find(
                    candidate.transaction_id
                )
                if transaction is not None:
                    state = await payments.reconcile_one(transaction)
                    if state in (TransactionState.RUNNING, TransactionState.CREATED):
                        # Still running after the grace: the payer gave up.
                        await payments.settle(
                            transaction.id,
                            ProviderResult(
                                state=TransactionState.EXPIRED,
                                signed=True,
                                provider_transaction_id=None,
                                amount_cents=None,
                                bank_status="délai de paiement du panier dépassé",
                                return_content=None,
                                test=False,
                            ),
                        )
            basket = await self.baskets.lock(candidate.id)
            if basket is None or basket.state not in (BasketState.OPEN, BasketState.TO_BE_PAID):
                continue  # paid (completed) or released meanwhile
            if basket.state == BasketState.TO_BE_PAID and basket.expires_at >= now - grace:
                continue
            if basket.state == BasketState.OPEN and basket.expires_at >= now:
                continue
            await self._release(basket, BasketState.EXPIRED)
        return len(due)
