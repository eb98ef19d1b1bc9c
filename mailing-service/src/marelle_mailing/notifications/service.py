"""Notifications from the other contexts (through their events, never a call): each a
template the tenant can edit (composing.catalog), sent once per fact and address to the
household's guardians. These are transactional mails: they answer the family's own bookings,
requests and payments, and reach them even when they refused the town's information mails
(the e-mail authorisation governs mailings and reminders)."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from marelle_contracts import (
    CellFact,
    ChangeRequestDecided,
    ClosureDeclared,
    InvoiceIssued,
    PaymentFailed,
    PaymentReceived,
)
from marelle_contracts.booking import ChangeOrigin
from marelle_kit import formats
from marelle_kit.database import WriteSession
from marelle_mailing import catalogue
from marelle_mailing.composing.context import Links, household_fields, recipients_of
from marelle_mailing.directory.repository import (
    ActivityRepository,
    ChildRepository,
    GuardianRepository,
    HouseholdRepository,
)
from marelle_mailing.mails.service import MailQueue
from marelle_mailing.models import InvoiceCopy
from marelle_mailing.settings import MailingSettings


class Notifier:
    def __init__(self, session: WriteSession, settings: MailingSettings) -> None:
        self.session = session
        self.settings = settings
        self.queue = MailQueue(session, settings)
        self.links = Links(session, settings)

    async def to_household(
        self,
        tenant_id: UUID,
        household_id: UUID,
        key: str,
        context: dict[str, object],
        fact: str,
    ) -> int:
        """One mail per guardian address, from the tenant's template ``key``; ``fact`` makes
        the deduplication key (the same fact never mails twice). Returns mails queued."""
        household = await HouseholdRepository(self.session).get(tenant_id, household_id)
        if household is None or household.erased_at is not None:
            return 0
        guardians = await GuardianRepository(self.session).of_household(tenant_id, household_id)
        children = (await ChildRepository(self.session).of_households(tenant_id, [household_id]))[
            household_id
        ]
        queued = 0
        for recipient in recipients_of(guardians):
            fields = household_fields(household, guardians, children, recipient)
            mail = await self.queue.from_template(
                tenant_id,
                key,
                {**fields, **context},
                to=recipient.address,
                dedup_key=f"{fact}:{recipient.address}",
                household_id=household_id,
            )
            queued += mail is not None
        return queued

    async def lines(self, cells: Iterable[CellFact]) -> list[str]:
        """« Théo — ALSH mercredi — mercredi 21 janvier 2026 », in day order."""
        facts = sorted(cells, key=lambda c: (c.day, str(c.child_id)))
        children = await ChildRepository(self.session).many({c.child_id for c in facts})
        activities = await ActivityRepository(self.session).many({c.activity_id for c in facts})
        found = []
        for cell in facts:
            child = children.get(cell.child_id)
            activity = activities.get(cell.activity_id)
            found.append(
                " — ".join(
                    [
                        child.first_name if child else catalogue.SOME_CHILD,
                        activity.name if activity else catalogue.SOME_ACTIVITY,
                        formats.long_day(cell.day),
                    ]
                )
            )
        return found

    async def booking_refused(
        self, tenant_id: UUID, event_id: UUID, cells: list[CellFact], reason: str | None
    ) -> None:
        for household_id, own in _by_household(cells).items():
            await self.to_household(
                tenant_id,
                household_id,
                "booking_refused",
                {"lignes": await self.lines(own), "motif": reason or ""},
                f"booking_refused:{event_id}",
            )

    async def booking_granted(self, tenant_id: UUID, event_id: UUID, cells: list[CellFact]) -> None:
        for household_id, own in _by_household(cells).items():
            await self.to_household(
                tenant_id,
                household_id,
                "booking_granted",
                {
                    "lignes": await self.lines(own),
                    "liste_attente": any(c.origin is ChangeOrigin.WAITING_LIST for c in own),
                    "lien": await self.links.page(tenant_id, "bookings"),
                },
                f"booking_granted:{event_id}",
            )

    async def closure(self, tenant_id: UUID, event: ClosureDeclared) -> None:
        for household_id, own in _by_household(event.cells).items():
            await self.to_household(
                tenant_id,
                household_id,
                "closure",
                {
                    "fermeture": event.label,
                    "motif": event.reason,
                    "du": formats.day(event.first_day),
                    "au": formats.day(event.last_day),
                    "lignes": await self.lines(own),
                },
                # Keyed by the closure, not the event: a closure republished mails once.
                f"closure:{event.closure_id}:{household_id}",
            )

    async def change_request(self, tenant_id: UUID, event: ChangeRequestDecided) -> None:
        await self.to_household(
            tenant_id,
            event.household_id,
            "change_request_decided",
            {
                "rubrique": event.label,
                "acceptee": event.outcome == "accepted",
                "motif": event.reason or "",
                "lien": await self.links.page(tenant_id, "requests"),
            },
            f"change_request:{event.request_id}:{event.outcome}",
        )

    async def invoice_issued(self, tenant_id: UUID, event: InvoiceIssued) -> None:
        """Kept as a read model (merge fields) and mailed once per invoice: the deduplication
        key is the invoice, so the same fact delivered twice, or published again under another
        event id, sends one mail. Credit notes are not announced."""
        copy = await self.session.get(InvoiceCopy, event.invoice_id)
        if copy is None:
            self.session.add(
                InvoiceCopy(
                    id=event.invoice_id,
                    tenant_id=tenant_id,
                    household_id=event.household_id,
                    number=event.number,
                    kind=event.kind,
                    amount_cents=event.amount_cents,
                    amount_due_cents=event.amount_due_cents,
                    due_on=event.due_date,
                    period_label=event.period_label,
                    issued_on=event.issue_date,
                )
            )
            await self.session.flush()
        if event.kind != "invoice":
            return
        await self.to_household(
            tenant_id,
            event.household_id,
            "invoice_issued",
            {
                "facture_numero": event.number,
                "facture_montant": formats.money(event.amount_cents, cents=True),
                "facture_echeance": formats.day(event.due_date)
                if event.amount_due_cents > 0
                else "",
                "lien": await self.links.page(tenant_id, "invoices"),
            },
            f"invoice_issued:{event.invoice_id}",
        )

    async def payment_received(self, tenant_id: UUID, event: PaymentReceived) -> None:
        await self.to_household(
            tenant_id,
            event.household_id,
            "payment_received",
            {
                "paiement_montant": formats.money(event.amount_cents, cents=True),
                "facture_numero": ", ".join(event.invoice_numbers),
                "lien": await self.links.page(tenant_id, "invoices"),
            },
            f"payment_received:{event.payment_id}",
        )

    async def payment_failed(self, tenant_id: UUID, event: PaymentFailed) -> None:
        await self.to_household(
            tenant_id,
            event.household_id,
            "payment_failed",
            {
                "paiement_montant": formats.money(event.amount_cents, cents=True),
                "facture_numero": ", ".join(event.invoice_numbers),
                "motif": event.reason or "",
                "lien": await self.links.page(tenant_id, "invoices"),
            },
            f"payment_failed:{event.transaction_id}",
        )


def _by_household(cells: Iterable[CellFact]) -> dict[UUID, list[CellFact]]:
    grouped: dict[UUID, list[CellFact]] = {}
    for cell in cells:
        grouped.setdefault(cell.household_id, []).append(cell)
    return grouped
