"""The mailing-service: courriers, messagerie et documents publiés."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter

from marelle_kit.runtime import ServiceDefinition, ServiceRuntime
from marelle_kit.tenant_directory import tenant_directory_router
from marelle_mailing.mails import consumers as mail_consumers
from marelle_mailing.mails import endpoints as mails
from marelle_mailing.mails.celery_delivery import CeleryHandOver
from marelle_mailing.mails.delivery import MailDispatcher, sender_for
from marelle_mailing.models import events, metadata, tenants
from marelle_mailing.settings import MailingSettings


def routers() -> list[APIRouter]:
    return [tenant_directory_router(tenants), mails.staff]


async def deliver_mails(runtime: ServiceRuntime) -> None:
    settings = runtime.settings
    assert isinstance(settings, MailingSettings)
    if settings.resolved_delivery == "celery":
        await CeleryHandOver(runtime.database, settings).run()
    else:
        await MailDispatcher(runtime.database, settings, sender_for(settings)).run()


definition = ServiceDefinition(
    name="mailing",
    title="Marelle — courriers, messagerie et documents",
    settings_class=MailingSettings,
    metadata=metadata,
    tables=events,
    migrations=Path(__file__).parent / "migrations",
    routers=routers,
    handlers=tenants.handlers(),
    settings_handlers=mail_consumers.handlers,
    background=deliver_mails,
)
