"""The auth-service: accounts, credentials, sessions and the OIDC provider's keys."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter

from marelle_auth.accounts import consumers as account_consumers
from marelle_auth.accounts import endpoints as accounts
from marelle_auth.audit import endpoints as audit
from marelle_auth.jobs import JOBS
from marelle_auth.keys import endpoints as keys
from marelle_auth.models import events, metadata, tenants
from marelle_auth.oidc import endpoints as oidc
from marelle_auth.passwords import endpoints as passwords
from marelle_auth.seed import seed_demo_staff, start_auth
from marelle_auth.settings import AuthSettings
from marelle_kit.runtime import ServiceDefinition
from marelle_kit.tenant_directory import tenant_directory_router


def routers() -> list[APIRouter]:
    return [
        keys.router,
        keys.operators,
        oidc.router,
        passwords.router,
        audit.admins,
        accounts.staff,
        accounts.admins,
        tenant_directory_router(tenants),
    ]


definition = ServiceDefinition(
    name="auth",
    title="Marelle — authentification",
    settings_class=AuthSettings,
    metadata=metadata,
    tables=events,
    migrations=Path(__file__).parent / "migrations",
    routers=routers,
    handlers={**tenants.handlers(), **account_consumers.handlers},
    startup=start_auth,
    seed=seed_demo_staff,
    jobs=JOBS,
)
