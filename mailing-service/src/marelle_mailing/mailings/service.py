"""Mailings: a template with merge fields, rich text sanitised with its plain-text part, shared
attachments plus, when asked, each recipient's own document; recipients by criteria; a preview
for one recipient, a test send; sending queues one grouped mail per address (throttled by the
delivery, each with its status, retried on demand), each with a one-click unsubscribe link.

A per-recipient document (e.g. the household's invoice) is provided by whoever holds it: staff
upload a batch named by family number, or another service (billing) pushes each household's
PDF to PUT /mailings/{id}/recipient-documents/{household_id}; mailing never fetches it."""

from __future__ import annotations

import re
import secrets
from uuid import UUID

from marelle_kit.clock import utcnow
from marelle_kit.database import WriteSession
from marelle_kit.errors import InvalidPayload, NotFound
from marelle_kit.security import Principal
from marelle_mailing import catalogue
from marelle_mailing.composing.catalog import CATALOG
from marelle_mailing.composing.context import Links, Recipient, household_fields, recipients_of
from marelle_mailing.composing.rendering import (
    Layout,
    RenderedMail,
    TemplateInvalid,
    TemplateSource,
    html_to_text,
    in_layout,
    render_source,
    sanitise,
)
from marelle_mailing.composing.service import Composer, mailing_fields
from marelle_mailing.directory.repository import (
    ChildRepository,
    GuardianRepository,
    HouseholdRepository,
)
from marelle_mailing.files.service import Files
from marelle_mailing.mailings.repository import MailingRepository, UnsubscriptionRepository
from marelle_mailing.mailings.schemas import (
    AttachmentOut,
    Criteria,
    MailingIn,
    MailingOut,
    MailingPage,
    MailingSummary,
    RecipientDocumentsOut,
    SegmentOut,
    SegmentRecipient,
    SendOut,
    UnsubscribeOut,
)
from marelle_mailing.mailings.segments import Member, email_segment
from marelle_mailing.mails.repository import MailRepository
from marelle_mailing.mails.service import UNSUBSCRIBE_PLACEHOLDER, MailQueue
from marelle_mailing.models import HouseholdCopy, Mail, Mailing, MailingAttachment, tenants
from marelle_mailing.settings import MailingSettings


class Mailings:
    def __init__(self, session: WriteSession, settings: MailingSettings) -> None:
        self.session = session
        self.settings = settings
        self.mailings = MailingRepository(session)
        self.files = Files(session, settings)
        self.links = Links(session, settings)

    async def get(self, tenant_id: UUID, mailing_id: UUID) -> Mailing:
        found = await self.mailings.get(tenant_id, mailing_id)
        if found is None:
            raise NotFound(catalogue.MAILING_NOT_FOUND)
        return found

    async def _draft(self, tenant_id: UUID, mailing_id: UUID) -> Mailing:
        mailing = await self.mailings.get_for_update(tenant_id, mailing_id)
        if mailing is None:
            raise NotFound(catalogue.MAILING_NOT_FOUND)
        if mailing.status != "draft":
            raise catalogue.NotADraft(catalogue.MAILING_NOT_DRAFT)
        return mailing

    async def _source(self, tenant_id: UUID, data: MailingIn) -> TemplateSource:
        base = (
            await Composer(self.session).source(tenant_id, data.template_key)
            if data.template_key
            else None
        )
        shipped = CATALOG.get(data.template_key or "")
        if shipped is not None and shipped.purpose != "mailing":
            raise InvalidPayload("template_key", catalogue.TEMPLATE_IS_NOTIFICATION)
        subject = data.subject or (base.subject if base else None)
        body = data.html or (base.html if base else None)
        if not subject or not body:
            raise InvalidPayload("html", catalogue.TEMPLATE_OR_TEXT)
        html = sanitise(body) if data.html else body
        text = (
            data.text
            if data.text and data.text.strip()
            else (base.text if base and not data.html else html_to_text(html))
        )
        source = TemplateSource(subject=subject, html=html, text=text)
        try:
            render_source(source, {n: s for n, (_l, s) in mailing_fields().items()})
        except TemplateInvalid as exc:
            raise InvalidPayload(
                "html", catalogue.TEMPLATE_DOES_NOT_RENDER.format(reason=exc)
            ) from exc
        return source

    async def create(self, principal: Principal, tenant_id: UUID, data: MailingIn) -> MailingOut:
        source = await self._source(tenant_id, data)
        mailing = Mailing(
            tenant_id=tenant_id,
            name=data.name,
            template_key=data.template_key,
            subject=source.subject,
            html=source.html,
            text=source.text,
            criteria=data.criteria.model_dump(mode="json"),
            per_recipient_document=data.per_recipient_document,
            created_by=principal.subject,
        )
        await self.mailings.add(mailing)
        return await self.view(tenant_id, mailing.id)

    async def change(self, tenant_id: UUID, mailing_id: UUID, data: MailingIn) -> MailingOut:
        mailing = await self._draft(tenant_id, mailing_id)
        source = await self._source(tenant_id, data)
        mailing.name, mailing.template_key = data.name, data.template_key
        mailing.subject, mailing.html, mailing.text = source.subject, source.html, source.text
        mailing.criteria = data.criteria.model_dump(mode="json")
        mailing.per_recipient_document = data.per_recipient_document
        await self.mailings.add(mailing)
        return await self.view(tenant_id, mailing_id)

    async def view(self, tenant_id: UUID, mailing_id: UUID) -> MailingOut:
        mailing = await self.get(tenant_id, mailing_id)
        shared = await self.mailings.attachments(mailing.id, shared=True)
        own = await self.mailings.documents_of(mailing.id)
        deliveries = await MailRepository(self.session).status_counts(mailing.id)
        return MailingOut(
            id=mailing.id,
            name=mailing.name,
            template_key=mailing.template_key,
            subject=mailing.subject,
            html=mailing.html,
            text=mailing.text,
            criteria=Criteria.model_validate(mailing.criteria),
            per_recipient_document=mailing.per_recipient_document,
            status=_shown_status(mailing.status, deliveries),
            created_by=mailing.created_by,
            created_at=mailing.created_at,
            sent_at=mailing.sent_at,
            attachments=[
                AttachmentOut(
                    id=a.id,
                    household_id=None,
                    name=f.name,
                    content_type=f.content_type,
                    size=f.size,
                )
                for a, f in shared
            ],
            recipient_documents=len(own),
            deliveries=deliveries,
        )

    async def page(self, tenant_id: UUID, *, limit: int, offset: int) -> MailingPage:
        page = await self.mailings.page(tenant_id, limit=limit, offset=offset)
        mails = MailRepository(self.session)
        return MailingPage(
            items=[_summary(m, await mails.status_counts(m.id)) for m in page.items],
            total=page.total,
            limit=limit,
            offset=offset,
        )

    # --- recipients --------------------------------------------------------------------------

    async def segment(self, tenant_id: UUID, criteria: Criteria) -> SegmentOut:
        segment = await email_segment(self.session, tenant_id, criteria)
        return SegmentOut(
            households=len(segment.members),
            addresses=segment.addresses,
            refused_email=segment.refused,
            without_address=segment.without_address,
            unsubscribed=segment.unsubscribed,
            sample=[
                SegmentRecipient(
                    household_id=m.household.id,
                    family_number=m.household.family_number,
                    name=m.household.name,
                    addresses=[r.address for r in m.recipients],
                )
                for m in segment.members[:50]
            ],
        )

    # --- attachments ----------------------------------------------------------------------------

    async def attach(
        self, principal: Principal, tenant_id: UUID, mailing_id: UUID, name: str, data: bytes
    ) -> AttachmentOut:
        mailing = await self._draft(tenant_id, mailing_id)
        stored = await self.files.add(tenant_id, name, data, principal.subject)
        attachment = MailingAttachment(
            tenant_id=tenant_id, mailing_id=mailing.id, file_id=stored.id
        )
        await self.mailings.add_attachment(attachment)
        return AttachmentOut(
            id=attachment.id,
            household_id=None,
            name=stored.name,
            content_type=stored.content_type,
            size=stored.size,
        )

    async def detach(self, tenant_id: UUID, mailing_id: UUID, attachment_id: UUID) -> None:
        mailing = await self._draft(tenant_id, mailing_id)
        attachment = await self.mailings.attachment(mailing.id, attachment_id)
        if attachment is None:
            raise NotFound(catalogue.ATTACHMENT_NOT_FOUND)
        await self.mailings.remove_attachment(attachment)
        await self.files.remove(tenant_id, [attachment.file_id])

    async def put_document(
        self,
        principal: Principal,
        tenant_id: UUID,
        mailing_id: UUID,
        household_id: UUID,
        name: str,
        data: bytes,
    ) -> AttachmentOut:
        """One household's own document (replacing the one it had)."""
        mailing = await self._draft(tenant_id, mailing_id)
        household = await HouseholdRepository(self.session).get(tenant_id, household_id)
        if household is None or household.erased_at is not None:
            raise NotFound(catalogue.HOUSEHOLD_NOT_FOUND, field="household_id")
        previous = (await self.mailings.documents_of(mailing.id)).get(household_id)
        stored = await self.files.add(tenant_id, name, data, principal.subject)
        if previous is not None:
            await self.mailings.remove_attachment(previous)
            await self.files.remove(tenant_id, [previous.file_id])
        attachment = MailingAttachment(
            tenant_id=tenant_id, mailing_id=mailing.id, household_id=household_id, file_id=stored.id
        )
        await self.mailings.add_attachment(attachment)
        return AttachmentOut(
            id=attachment.id,
            household_id=household_id,
            name=stored.name,
            content_type=stored.content_type,
            size=stored.size,
        )

    async def put_documents(
        self,
        principal: Principal,
        tenant_id: UUID,
        mailing_id: UUID,
        uploads: list[tuple[str, bytes]],
    ) -> RecipientDocumentsOut:
        """A batch named by family number (« 000042-facture-novembre.pdf »)."""
        await self._draft(tenant_id, mailing_id)
        households = HouseholdRepository(self.session)
        matched, unmatched = [], []
        for name, data in uploads:
            number = re.match(r"^\s*(\d{1,20})", name)
            household = (
                await households.by_family_number(tenant_id, number.group(1)) if number else None
            )
            if household is None or household.erased_at is not None:
                unmatched.append(name)
                continue
            await self.put_document(principal, tenant_id, mailing_id, household.id, name, data)
            matched.append(name)
        return RecipientDocumentsOut(matched=matched, unmatched=unmatched)

    # --- rendering and sending ------------------------------------------------------------------

    async def _render(self, mailing: Mailing, member: Member, address_index: int) -> RenderedMail:
        base = await self.links.common(mailing.tenant_id)
        fields = household_fields(
            member.household, member.guardians, member.children, member.recipients[address_index]
        )
        source = TemplateSource(mailing.subject, mailing.html, mailing.text)
        # Checked with sample values when saved: a failure here is a bug, not the user's.
        body = render_source(source, {**base, **fields})
        layout = Layout(tenant_name=str(base["commune"]), unsubscribe_url=UNSUBSCRIBE_PLACEHOLDER)
        return in_layout(body, layout)

    async def _member(self, tenant_id: UUID, household: HouseholdCopy) -> Member:
        guardians = await GuardianRepository(self.session).of_household(tenant_id, household.id)
        children = (await ChildRepository(self.session).of_households(tenant_id, [household.id]))[
            household.id
        ]
        recipients = recipients_of(guardians)
        return Member(household, guardians, children, recipients)

    async def preview(self, tenant_id: UUID, mailing_id: UUID, household_id: UUID) -> RenderedMail:
        mailing = await self.get(tenant_id, mailing_id)
        household = await HouseholdRepository(self.session).get(tenant_id, household_id)
        if household is None or household.erased_at is not None:
            raise NotFound(catalogue.HOUSEHOLD_NOT_FOUND, field="household_id")
        member = await self._member(tenant_id, household)
        if not member.recipients:
            member = Member(household, member.guardians, member.children, [Recipient("", "")])
        rendered = await self._render(mailing, member, 0)
        return RenderedMail(
            subject=rendered.subject,
            html=rendered.html.replace(UNSUBSCRIBE_PLACEHOLDER, "#"),
            text=rendered.text.replace(UNSUBSCRIBE_PLACEHOLDER, catalogue.PREVIEW_UNSUBSCRIBE),
        )

    async def test_send(
        self, tenant_id: UUID, mailing_id: UUID, to: str, household_id: UUID | None
    ) -> None:
        """One mail to the staff member's address, merged with a household (or sample
        values), marked « [Essai] », with the shared attachments."""
        mailing = await self.get(tenant_id, mailing_id)
        if household_id is not None:
            household = await HouseholdRepository(self.session).get(tenant_id, household_id)
            if household is None or household.erased_at is not None:
                raise NotFound(catalogue.HOUSEHOLD_NOT_FOUND, field="household_id")
            member = await self._member(tenant_id, household)
            first = member.recipients[0].first_name if member.recipients else ""
            member = Member(household, member.guardians, member.children, [Recipient(to, first)])
            rendered = await self._render(mailing, member, 0)
        else:
            base = await self.links.common(tenant_id)
            sample = {n: s for n, (_l, s) in mailing_fields().items()}
            body = render_source(
                TemplateSource(mailing.subject, mailing.html, mailing.text), {**sample, **base}
            )
            rendered = in_layout(
                body,
                Layout(tenant_name=str(base["commune"]), unsubscribe_url=UNSUBSCRIBE_PLACEHOLDER),
            )
        shared = [a.file_id for a, _f in await self.mailings.attachments(mailing.id, shared=True)]
        own = (
            (await self.mailings.documents_of(mailing.id)).get(household_id)
            if household_id
            else None
        )
        await MailQueue(self.session, self.settings).queue(
            tenant_id,
            f"mailing-test:{mailing.id}:{secrets.token_hex(8)}",
            "mailing_test",
            to,
            RenderedMail(
                catalogue.TEST_SUBJECT.format(subject=rendered.subject),
                rendered.html,
                rendered.text,
            ),
            kind="grouped",
            mailing_id=None,
            file_ids=[*shared, *([own.file_id] if own else [])],
        )

    async def send(
        self, tenant_id: UUID, mailing_id: UUID, *, skip_missing_documents: bool
    ) -> SendOut:
        """Queue the grouped mails, once (the mailing's row is locked: two clicks send once)."""
        mailing = await self._draft(tenant_id, mailing_id)
        segment = await email_segment(
            self.session, tenant_id, Criteria.model_validate(mailing.criteria)
        )
        if not segment.members:
            raise catalogue.NobodyMatches(catalogue.NOBODY_MATCHES)
        documents = (
            await self.mailings.documents_of(mailing.id) if mailing.per_recipient_document else {}
        )
        members = segment.members
        missing = [
            m for m in members if mailing.per_recipient_document and m.household.id not in documents
        ]
        if missing and not skip_missing_documents:
            raise catalogue.MissingDocuments(
                catalogue.DOCUMENTS_MISSING.format(count=len(missing)),
                households=[m.household.family_number for m in missing[:100]],
            )
        shared = [a.file_id for a, _f in await self.mailings.attachments(mailing.id, shared=True)]
        queue = MailQueue(self.session, self.settings)
        queued = 0
        for member in members:
            if member in missing:
                continue
            own = documents.get(member.household.id)
            for index, recipient in enumerate(member.recipients):
                mail = await queue.queue(
                    tenant_id,
                    f"mailing:{mailing.id}:{recipient.address.lower()}",
                    "mailing",
                    recipient.address,
                    await self._render(mailing, member, index),
                    kind="grouped",
                    household_id=member.household.id,
                    mailing_id=mailing.id,
                    file_ids=[*shared, *([own.file_id] if own else [])],
                )
                queued += mail is not None
        mailing.status, mailing.sent_at = "sending", utcnow()
        await self.mailings.add(mailing)
        return SendOut(
            queued=queued,
            households=len(members) - len(missing),
            skipped_missing_document=len(missing),
        )

    async def retry(self, tenant_id: UUID, mailing_id: UUID) -> int:
        mailing = await self.get(tenant_id, mailing_id)
        if mailing.status == "draft":
            raise catalogue.NotSentYet(catalogue.MAILING_NOT_SENT)
        return await MailRepository(self.session).requeue_failed(tenant_id, mailing.id, utcnow())


def _shown_status(stored: str, deliveries: dict[str, int]) -> str:
    """« sent » once no mail of a sending mailing waits any more."""
    return "sent" if stored == "sending" and not deliveries.get("queued") else stored


def _summary(mailing: Mailing, deliveries: dict[str, int]) -> MailingSummary:
    return MailingSummary(
        id=mailing.id,
        name=mailing.name,
        subject=mailing.subject,
        status=_shown_status(mailing.status, deliveries),
        created_at=mailing.created_at,
        sent_at=mailing.sent_at,
        deliveries=deliveries,
    )


def masked(email: str) -> str:
    local, _, domain = email.partition("@")
    return f"{local[:2]}***@{domain}"


class Unsubscriptions:
    """RFC 8058 one-click unsubscribe from grouped mails; transactional ones never stop."""

    def __init__(self, session: WriteSession) -> None:
        self.session = session
        self.mails = MailRepository(session)
        self.unsubscriptions = UnsubscriptionRepository(session)

    async def _mail(self, token: str) -> Mail:
        mail = await self.mails.by_unsubscribe_token(token) if len(token) <= 64 else None
        if mail is None or mail.kind != "grouped":
            raise NotFound(catalogue.UNSUBSCRIBE_INVALID)
        return mail

    async def status(self, token: str) -> UnsubscribeOut:
        mail = await self._mail(token)
        return UnsubscribeOut(
            tenant_name=await tenants.name_of(self.session, mail.tenant_id) or "",
            email=masked(mail.to_address),
            unsubscribed=await self.unsubscriptions.of(mail.tenant_id, mail.to_address) is not None,
        )

    async def unsubscribe(self, token: str) -> UnsubscribeOut:
        mail = await self._mail(token)
        await self.unsubscriptions.unsubscribe(mail.tenant_id, mail.to_address)
        return await self.status(token)

    async def resubscribe(self, token: str) -> UnsubscribeOut:
        mail = await self._mail(token)
        await self.unsubscriptions.forget(mail.tenant_id, [mail.to_address])
        return await self.status(token)
