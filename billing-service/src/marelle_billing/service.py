"""The billing-service: tariffs, invoices, balances and payments."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter

from marelle_billing.accounts import consumers as account_consumers
from marelle_billing.accounts import endpoints as accounts
from marelle_billing.models import events, metadata, tenants
from marelle_billing.settings import BillingSettings
from marelle_kit.runtime import ServiceDefinition
from marelle_kit.tenant_directory import tenant_directory_router


def routers() -> list[APIRouter]:
    return [tenant_directory_router(tenants), accounts.staff, accounts.members]


definition = ServiceDefinition(
    name="billing",
    title="Marelle — facturation et paiements",
    settings_class=BillingSettings,
    metadata=metadata,
    tables=events,
    migrations=Path(__file__).parent / "migrations",
    routers=routers,
    handlers={**tenants.handlers(), **account_consumers.handlers},
)
