"""The mailing-service: every communication between a town and its families — transactional
mails, notifications from the other services, messaging, published documents, mailings, SMS."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter

from marelle_kit.events import Handler
from marelle_kit.runtime import ServiceDefinition, ServiceRuntime
from marelle_kit.tenant_directory import tenant_directory_router
from marelle_mailing.composing import endpoints as templates
from marelle_mailing.configuration import endpoints as configuration
from marelle_mailing.dashboard import endpoints as dashboard
from marelle_mailing.directory import consumers as directory
from marelle_mailing.links import endpoints as links
from marelle_mailing.links.service import ensure_link_key
from marelle_mailing.mailings import endpoints as mailings
from marelle_mailing.mails import consumers as mail_consumers
from marelle_mailing.mails import endpoints as mails
from marelle_mailing.mails.jobs import JOBS as MAIL_JOBS
from marelle_mailing.messaging import endpoints as messaging
from marelle_mailing.models import events, metadata, tenants
from marelle_mailing.notifications import consumers as notifications
from marelle_mailing.notifications.jobs import JOBS as NOTICE_JOBS
from marelle_mailing.publications import endpoints as publications
from marelle_mailing.seed import seed_demo
from marelle_mailing.settings import MailingSettings
from marelle_mailing.sms import endpoints as sms
from marelle_mailing.sms.jobs import JOBS as SMS_JOBS


def routers() -> list[APIRouter]:
    return [
        tenant_directory_router(tenants),
        links.public,
        configuration.members,
        configuration.admins,
        templates.staff,
        messaging.parents,
        messaging.staff_desks,
        messaging.staff,
        publications.members,
        publications.staff,
        publications.parents,
        dashboard.parents,
        mailings.staff,
        mailings.public,
        sms.staff,
        mails.supervisors,
    ]


def handlers(settings: MailingSettings) -> dict[str, Handler]:
    return {
        **directory.handlers,
        **mail_consumers.handlers(settings),
        **notifications.handlers(settings),
    }


async def start_mailing(runtime: ServiceRuntime) -> None:
    """Every start, every mode: the link key must exist before the auth-service seals to it."""
    await ensure_link_key(runtime.database)


definition = ServiceDefinition(
    name="mailing",
    title="Marelle — courriers, messagerie et documents",
    settings_class=MailingSettings,
    metadata=metadata,
    tables=events,
    migrations=Path(__file__).parent / "migrations",
    routers=routers,
    handlers=tenants.handlers(),
    settings_handlers=handlers,
    startup=start_mailing,
    jobs=(*MAIL_JOBS, *SMS_JOBS, *NOTICE_JOBS),
    seed=seed_demo,
)
