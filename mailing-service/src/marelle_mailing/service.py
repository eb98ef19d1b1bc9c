"""The mailing-service: courriers, messagerie et documents publiés."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter

from marelle_kit.runtime import ServiceDefinition
from marelle_kit.tenant_directory import tenant_directory_router
from marelle_mailing.mails import consumers as mail_consumers
from marelle_mailing.mails import endpoints as mails
from marelle_mailing.mails.jobs import JOBS
from marelle_mailing.models import events, metadata, tenants
from marelle_mailing.settings import MailingSettings


def routers() -> list[APIRouter]:
    return [tenant_directory_router(tenants), mails.staff]


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
    jobs=JOBS,
)
