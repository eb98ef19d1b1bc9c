"""The billing-service: tariffs, invoices, balances and payments."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter

from marelle_billing.accounts import consumers as account_consumers
from marelle_billing.accounts import endpoints as accounts
from marelle_billing.baskets import endpoints as baskets
from marelle_billing.invoicing import endpoints as invoicing
from marelle_billing.jobs import JOBS
from marelle_billing.models import events, metadata, tenants
from marelle_billing.payments import endpoints as payments
from marelle_billing.profile import endpoints as profile
from marelle_billing.quotes import endpoints as quotes
from marelle_billing.readmodels import consumers as fact_consumers
from marelle_billing.reports import endpoints as reports
from marelle_billing.seed import seed_demo
from marelle_billing.settings import BillingSettings
from marelle_billing.tariffs import endpoints as tariffs
from marelle_kit.runtime import ServiceDefinition
from marelle_kit.tenant_directory import tenant_directory_router


def routers() -> list[APIRouter]:
    return [
        tenant_directory_router(tenants),
        accounts.staff,
        accounts.office,
        accounts.members,
        tariffs.office,
        tariffs.simulator,
        quotes.members,
        invoicing.runs,
        invoicing.office,
        invoicing.members,
        payments.public,
        payments.office,
        payments.members,
        payments.refunds,
        baskets.members,
        reports.reports,
        reports.exports,
        profile.office,
        profile.admins,
    ]


definition = ServiceDefinition(
    name="billing",
    title="Marelle — facturation et paiements",
    settings_class=BillingSettings,
    metadata=metadata,
    tables=events,
    migrations=Path(__file__).parent / "migrations",
    routers=routers,
    handlers={**tenants.handlers(), **account_consumers.handlers, **fact_consumers.handlers},
    jobs=JOBS,
    seed=seed_demo,
)
