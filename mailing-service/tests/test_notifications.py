"""Notifications from the other contexts, through their events: booking refused, place
granted, closure, change request decided, invoice issued (once, even delivered twice),
payment received or failed; each from a template the tenant can edit; and the erasure."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID, uuid4

import sqlalchemy as sa
from test_messaging import PDF, add_desk, admin, agent, parent
from test_publications import ACTIVITY, publish_activity

from marelle_contracts import (
    BookingGranted,
    BookingRefused,
    CellFact,
    ChangeRequestDecided,
    ClosureDeclared,
    HouseholdErased,
    InvoiceIssued,
    PaymentFailed,
    PaymentReceived,
)
from marelle_contracts.booking import CellState, ChangeOrigin
from marelle_kit.clock import utcnow
from marelle_kit.events import EventEnvelope
from marelle_kit.ids import new_id
from marelle_mailing.models import (
    BookingCellCopy,
    ChildCopy,
    Conversation,
    GuardianCopy,
    HouseholdCopy,
    InvoiceCopy,
    Mail,
    Message,
    StoredFile,
)
from marelle_testkit.plugin import ServiceUnderTest
from marelle_testkit.tokens import TokenFactory

from mailing_world import TENANT, add_household, mails

DAY = date(2026, 1, 21)  # a Wednesday


async def child_of(svc: ServiceUnderTest, household: UUID) -> UUID:
    async with svc.runtime.database.transaction() as session:
        child = await session.scalar(
            sa.select(ChildCopy.id).where(ChildCopy.household_id == household)
        )  # type: ignore[arg-type]
        assert child is not None
        return UUID(str(child))


def cell(
    household: UUID,
    child: UUID,
    state: CellState,
    version: int = 2,
    origin: ChangeOrigin = ChangeOrigin.STAFF,
    day: date = DAY,
) -> CellFact:
    return CellFact(
        cell_id=uuid4(),
        version=version,
        household_id=household,
        child_id=child,
        activity_id=ACTIVITY,
        day=day,
        state=state,
        origin=origin,
    )


async def test_booking_refused_granted_and_closure_tell_the_family(
    mailing: ServiceUnderTest, tokens: TokenFactory
) -> None:
    await publish_activity(mailing)
    household = await add_household(mailing, guardians=(("Paul", "paul@exemple.fr"),))
    other = await add_household(
        mailing, name="BRUN", number="000002", guardians=(("Marc", "marc@exemple.fr"),)
    )
    child, other_child = await child_of(mailing, household), await child_of(mailing, other)

    await mailing.deliver(
        BookingRefused(cells=[cell(household, child, CellState.REFUSED)], reason="Groupe complet"),
        tenant_id=TENANT,
        key=household,
    )
    [refused] = await mails(mailing)
    assert refused.to_address == "paul@exemple.fr" and "réservation refusée" in refused.subject
    assert "Théo — ALSH mercredi — mercredi 21 janvier 2026" in refused.text
    assert "Motif : Groupe complet" in refused.text

    granted = cell(
        household,
        child,
        CellState.BOOKED,
        origin=ChangeOrigin.WAITING_LIST,
        day=DAY + timedelta(days=7),
    )
    await mailing.deliver(BookingGranted(cells=[granted]), tenant_id=TENANT, key=household)
    latest = (await mails(mailing))[-1]
    assert "une place s'est libérée" in latest.subject and "28 janvier" in latest.text
    # The same cell's older version arriving late tells nothing.
    stale = granted.model_copy(update={"version": 1})
    await mailing.deliver(BookingGranted(cells=[stale]), tenant_id=TENANT, key=household)
    assert len(await mails(mailing)) == 2

    closure = ClosureDeclared(
        cells=[
            cell(household, child, CellState.CANCELLED, day=DAY + timedelta(days=14)),
            cell(other, other_child, CellState.CANCELLED, day=DAY + timedelta(days=14)),
        ],
        closure_id=uuid4(),
        reason="grève",
        label="Grève du 4 février",
        first_day=DAY + timedelta(days=14),
        last_day=DAY + timedelta(days=14),
        site_id=None,
        activity_id=None,
    )
    await mailing.deliver(closure, tenant_id=TENANT, key=closure.closure_id)
    await mailing.deliver(closure, tenant_id=TENANT, key=closure.closure_id)  # republished
    closures = [m for m in await mails(mailing) if m.template == "closure"]
    assert sorted(m.to_address for m in closures) == ["marc@exemple.fr", "paul@exemple.fr"]
    assert all("ne vous seront pas facturées" in m.text for m in closures)
    # The cells' read model keeps the newest state.
    async with mailing.runtime.database.transaction() as session:
        states = set(await session.scalars(sa.select(BookingCellCopy.state)))
    assert states == {"refused", "booked", "cancelled"}


async def test_a_change_request_decision_with_its_reason(mailing: ServiceUnderTest) -> None:
    household = await add_household(
        mailing, guardians=(("Paul", "paul@exemple.fr"), ("Lucie", "lucie@exemple.fr"))
    )
    await mailing.deliver(
        ChangeRequestDecided(
            household_id=household,
            request_id=uuid4(),
            field_group="child.schooling",
            label="Scolarité",
            outcome="refused",
            reason="Le certificat de scolarité manque.",
        ),
        tenant_id=TENANT,
        key=household,
    )
    found = await mails(mailing)
    assert sorted(m.to_address for m in found) == ["lucie@exemple.fr", "paul@exemple.fr"]
    assert "(Scolarité) est refusée" in found[0].subject
    assert "Motif : Le certificat de scolarité manque." in found[0].text
    assert "/mon-foyer/demandes" in found[0].text


def invoice(
    household: UUID, invoice_id: UUID | None = None, kind: str = "invoice"
) -> InvoiceIssued:
    return InvoiceIssued(
        household_id=household,
        invoice_id=invoice_id or uuid4(),
        number="2026-000123",
        kind=kind,
        family_number="000001",
        amount_cents=4820,
        amount_due_cents=4820,
        issue_date=date(2026, 2, 1),
        due_date=date(2026, 2, 15),
        online_payment_until=date(2026, 2, 15),
        period_start=date(2026, 1, 1),
        period_end=date(2026, 1, 31),
        period_label="janvier 2026",
        payable_online=True,
    )


async def test_the_invoice_issued_mail_is_sent_once_when_the_event_is_delivered_twice(
    mailing: ServiceUnderTest,
) -> None:
    household = await add_household(mailing, guardians=(("Paul", "paul@exemple.fr"),))
    event = invoice(household)
    envelope = EventEnvelope(
        id=new_id(),
        type=event.event_type,
        version=1,
        tenant_id=TENANT,
        key=str(household),
        occurred_at=utcnow(),
        correlation_id="c",
        causation_id=None,
        payload=event.model_dump(mode="json"),
    )
    await mailing.runtime.consumer.deliver(envelope)
    await mailing.runtime.consumer.deliver(envelope)  # the broker delivers it again
    # Billing publishes the same fact again under a new event id (e.g. a replayed outbox).
    await mailing.deliver(event, tenant_id=TENANT, key=household)
    [mail] = await mails(mailing)
    assert mail.subject == "Mairie de Lavaur — votre facture 2026-000123 (48,20\u202f€)"
    assert "avant le 15/02/2026" in mail.text and "/factures" in mail.text
    async with mailing.runtime.database.transaction() as session:
        assert len(list(await session.scalars(sa.select(InvoiceCopy)))) == 1
    # A credit note is kept but not announced.
    await mailing.deliver(invoice(household, kind="credit_note"), tenant_id=TENANT, key=household)
    assert len(await mails(mailing)) == 1


async def test_payments_received_and_failed(mailing: ServiceUnderTest) -> None:
    household = await add_household(mailing, guardians=(("Paul", "paul@exemple.fr"),))
    await mailing.deliver(
        PaymentReceived(
            household_id=household,
            payment_id=uuid4(),
            amount_cents=4820,
            mode="online",
            received_on=date(2026, 2, 3),
            invoice_numbers=["2026-000123"],
            credit_cents=0,
        ),
        tenant_id=TENANT,
        key=household,
    )
    await mailing.deliver(
        PaymentFailed(
            household_id=household,
            transaction_id=uuid4(),
            amount_cents=4820,
            state="denied",
            reason="Paiement refusé par la banque",
            invoice_numbers=["2026-000123"],
        ),
        tenant_id=TENANT,
        key=household,
    )
    received, failed = await mails(mailing)
    assert "paiement de 48,20\u202f€ reçu" in received.subject and "2026-000123" in received.text
    assert "n'a pas abouti" in failed.subject and "Paiement refusé par la banque" in failed.text


async def test_the_tenant_edits_a_notification_template(
    mailing: ServiceUnderTest, tokens: TokenFactory
) -> None:
    shipped = (await mailing.client.get("/templates/invoice_issued", headers=admin(tokens))).json()
    assert {f["name"] for f in shipped["fields"]} >= {"facture_numero", "facture_montant", "foyer"}
    body = {
        "subject": "Facture {{ facture_numero }} de la famille {{ foyer }}",
        "html": "<p>Montant : {{ facture_montant }}</p>",
    }
    assert (
        await mailing.client.put("/templates/invoice_issued", json=body, headers=agent(tokens))
    ).status_code == 403
    saved = await mailing.client.put("/templates/invoice_issued", json=body, headers=admin(tokens))
    assert saved.status_code == 200 and saved.json()["customised"] is True
    assert saved.json()["text"].strip() == "Montant : {{ facture_montant }}"
    household = await add_household(mailing, guardians=(("Paul", "paul@exemple.fr"),))
    await mailing.deliver(invoice(household), tenant_id=TENANT, key=household)
    [mail] = await mails(mailing)
    assert (
        mail.subject == "Facture 2026-000123 de la famille ALAIN" and "Montant : 48,20" in mail.text
    )
    preview = (
        await mailing.client.post("/templates/invoice_issued/preview", headers=admin(tokens))
    ).json()
    assert "2026-000123" in preview["subject"]
    bad = await mailing.client.put(
        "/templates/invoice_issued",
        json={"subject": "x", "html": "{{ mot_de_passe }}"},
        headers=admin(tokens),
    )
    assert bad.status_code == 422
    assert (
        await mailing.client.delete("/templates/invoice_issued", headers=admin(tokens))
    ).status_code == 204
    listing = (await mailing.client.get("/templates", headers=agent(tokens))).json()
    assert {t["key"] for t in listing} >= {
        "portal_invitation",
        "invoice_issued",
        "deadline_reminder",
    }
    assert not next(t for t in listing if t["key"] == "invoice_issued")["customised"]
    assert (
        await mailing.client.get("/templates/nothing-here", headers=agent(tokens))
    ).status_code == 404


async def test_the_erasure_removes_what_mailing_holds_of_the_household(
    mailing: ServiceUnderTest, tokens: TokenFactory
) -> None:
    household = await add_household(mailing, guardians=(("Paul", "paul@exemple.fr"),))
    kept = await add_household(
        mailing, name="BRUN", number="000002", guardians=(("Marc", "marc@exemple.fr"),)
    )
    desk = await add_desk(mailing, tokens, "Service enfance")
    for who in (household, kept):
        await mailing.client.post(
            f"/households/{who}/conversations",
            data={"desk_id": desk, "subject": "Question", "body": "Bonjour"},
            files={"files": ("certificat.pdf", PDF)},
            headers=parent(tokens, who),
        )
    await mailing.deliver(invoice(household), tenant_id=TENANT, key=household)
    await mailing.deliver(
        HouseholdErased(household_id=household, family_number="000001"),
        tenant_id=TENANT,
        key=household,
    )

    async with mailing.runtime.database.transaction() as session:
        copy = await session.get(HouseholdCopy, household)
        assert copy is not None and copy.erased_at is not None and copy.name == "Foyer effacé"
        for model in (GuardianCopy, ChildCopy, Conversation, Message, InvoiceCopy):
            rows = list(
                await session.scalars(sa.select(model).where(model.household_id == household))
            )  # type: ignore[attr-defined]
            assert rows == [], model
        assert (
            list(await session.scalars(sa.select(Mail).where(Mail.to_address == "paul@exemple.fr")))
            == []
        )  # type: ignore[arg-type]
        files = list(await session.scalars(sa.select(StoredFile)))
    assert len(files) == 1  # the other household's attachment only
    # The other household keeps everything; the erased one's facts no longer change anything.
    assert (await mailing.client.get("/conversations", headers=agent(tokens))).json()["total"] == 1
    await mailing.deliver(invoice(household), tenant_id=TENANT, key=household)
    assert [m.to_address for m in await mails(mailing)] == []  # no guardian left to tell
