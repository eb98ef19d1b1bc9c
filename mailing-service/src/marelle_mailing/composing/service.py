"""Templates as each tenant has them: its own copy of a shipped template when it edited one,
the shipped French text otherwise, and its own mailing models."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from marelle_kit.database import WriteSession
from marelle_kit.errors import InvalidPayload, NotFound
from marelle_kit.roles import ADMINS, OPERATORS
from marelle_kit.security import Principal
from marelle_mailing import catalogue
from marelle_mailing.composing.catalog import CATALOG, COMMON_FIELDS, HOUSEHOLD_FIELDS, Shipped
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
from marelle_mailing.composing.repository import TemplateRepository
from marelle_mailing.composing.schemas import MergeField, TemplateIn, TemplateOut, TemplateSummary
from marelle_mailing.models import MailTemplate


def mailing_fields() -> dict[str, tuple[str, Any]]:
    return {**COMMON_FIELDS, **HOUSEHOLD_FIELDS}


class Composer:
    def __init__(self, session: WriteSession) -> None:
        self.session = session
        self.templates = TemplateRepository(session)

    async def source(self, tenant_id: UUID, key: str) -> TemplateSource:
        own = await self.templates.by_key(tenant_id, key)
        if own is not None:
            return TemplateSource(subject=own.subject, html=own.html, text=own.text)
        shipped = CATALOG.get(key)
        if shipped is None:
            raise NotFound(catalogue.TEMPLATE_NOT_FOUND)
        return shipped.source

    async def render(
        self, tenant_id: UUID, key: str, context: dict[str, Any], layout: Layout
    ) -> RenderedMail:
        return in_layout(render_source(await self.source(tenant_id, key), context), layout)

    async def summaries(self, tenant_id: UUID) -> list[TemplateSummary]:
        own = {t.key: t for t in await self.templates.of_tenant(tenant_id) if t.key}
        found = [
            TemplateSummary(key=s.key, purpose=s.purpose, name=s.name, customised=s.key in own)
            for s in CATALOG.values()
        ]
        found += [
            TemplateSummary(key=key, purpose="mailing", name=t.name, customised=True)
            for key, t in own.items()
            if key not in CATALOG
        ]
        return found

    async def read(self, tenant_id: UUID, key: str) -> TemplateOut:
        own = await self.templates.by_key(tenant_id, key)
        shipped = CATALOG.get(key)
        if own is None and shipped is None:
            raise NotFound(catalogue.TEMPLATE_NOT_FOUND)
        source = (
            TemplateSource(own.subject, own.html, own.text) if own is not None else shipped.source  # type: ignore[union-attr]
        )
        fields = shipped.all_fields if shipped is not None else mailing_fields()
        return TemplateOut(
            key=key,
            purpose=shipped.purpose if shipped is not None else "mailing",
            name=shipped.name if shipped is not None else own.name,  # type: ignore[union-attr]
            customised=own is not None,
            subject=source.subject,
            html=source.html,
            text=source.text,
            fields=[
                MergeField(name=name, label=label, sample=sample)
                for name, (label, sample) in fields.items()
            ],
        )

    def _check_may_edit(self, principal: Principal, shipped: Shipped | None) -> None:
        notification = shipped is not None and shipped.purpose == "notification"
        if notification and not principal.roles & (ADMINS | OPERATORS):
            raise catalogue.NotificationsForAdmins(catalogue.NOTIFICATIONS_FOR_ADMINS)

    async def save(
        self, principal: Principal, tenant_id: UUID, key: str, data: TemplateIn
    ) -> TemplateOut:
        shipped = CATALOG.get(key)
        self._check_may_edit(principal, shipped)
        if shipped is None and not data.name:
            raise InvalidPayload("name", catalogue.TEMPLATE_NAME_NEEDED)
        html = sanitise(data.html)
        text = data.text if data.text and data.text.strip() else html_to_text(html)
        source = TemplateSource(subject=data.subject, html=html, text=text)
        sample = (
            shipped.sample()
            if shipped is not None
            else {n: s for n, (_l, s) in mailing_fields().items()}
        )
        try:
            render_source(source, sample)
        except TemplateInvalid as exc:
            raise InvalidPayload(
                "html", catalogue.TEMPLATE_DOES_NOT_RENDER.format(reason=exc)
            ) from exc
        row = await self.templates.by_key(tenant_id, key) or MailTemplate(
            tenant_id=tenant_id,
            key=key,
            purpose=shipped.purpose if shipped is not None else "mailing",
            name=shipped.name if shipped is not None else data.name or key,
            subject=source.subject,
            html=source.html,
            text=source.text,
        )
        if shipped is None and data.name:
            row.name = data.name
        row.subject, row.html, row.text = source.subject, source.html, source.text
        await self.templates.add(row)
        return await self.read(tenant_id, key)

    async def reset(self, principal: Principal, tenant_id: UUID, key: str) -> None:
        """Back to the shipped text (a tenant's own model is deleted)."""
        self._check_may_edit(principal, CATALOG.get(key))
        own = await self.templates.by_key(tenant_id, key)
        if own is None:
            raise NotFound(catalogue.TEMPLATE_NOT_CUSTOMISED)
        await self.templates.delete(own)

    async def preview(self, tenant_id: UUID, key: str, tenant_name: str) -> RenderedMail:
        shipped = CATALOG.get(key)
        sample = (
            shipped.sample()
            if shipped is not None
            else {n: s for n, (_l, s) in mailing_fields().items()}
        )
        sample["commune"] = tenant_name
        return await self.render(tenant_id, key, sample, Layout(tenant_name=tenant_name))
