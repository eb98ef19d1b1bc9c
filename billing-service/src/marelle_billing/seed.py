"""Demo data: the demo town's billing settings, the dummy online payment, tariffs for the
activities booking publishes (meal by 4 QF brackets from 3,10 € to 5,20 €, morning care flat,
evening care per quarter hour by time slot, leisure centre by QF), then the November 2026
invoice run computed from the booking cells billing has received, issued, and a few payments.

Everything goes through the service layer (events are published like any others) and is
idempotent: a second run changes nothing. Billing learns the tenant, the households and the
activities from events: the seed waits a little for them and says what it could not do.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from marelle_billing.invoicing.repository import InvoiceRepository, RunRepository
from marelle_billing.invoicing.schemas import RunCreate
from marelle_billing.invoicing.service import RunService
from marelle_billing.models import ActivityFact, BillingAccount, ProviderPurpose
from marelle_billing.payments.service import IncidentLog, PaymentService
from marelle_billing.profile.schemas import ProfileIn, ProviderIn
from marelle_billing.profile.service import ProfileService
from marelle_billing.readmodels.repository import ReadModelRepository
from marelle_billing.settings import BillingSettings
from marelle_billing.tariffs.repository import TariffRepository
from marelle_billing.tariffs.schemas import TariffIn
from marelle_billing.tariffs.service import TariffService
from marelle_kit.runtime import ServiceRuntime
from marelle_kit.settings import Mode

log = logging.getLogger(__name__)

DEMO_SLUG = "demo"
SEED_ACTOR = "démonstration"
QF_MEAL = {
    "method": "qf_brackets",
    "brackets": [
        {"min": 0, "max": 500, "unit_price": "3.10", "label": "Tranche A (QF ≤ 500 €)"},
        {"min": 501, "max": 800, "unit_price": "3.80", "label": "Tranche B (QF 501–800 €)"},
        {"min": 801, "max": 1200, "unit_price": "4.50", "label": "Tranche C (QF 801–1200 €)"},
        {"min": 1201, "unit_price": "5.20", "label": "Tranche D (QF > 1200 €)"},
    ],
    "missing_qf_bracket": 3,
}
DEMO_TARIFFS: dict[str, tuple[str, dict[str, Any]]] = {
    "meal": (
        "Repas — tarif au QF",
        {
            "pricing": QF_MEAL,
            "sibling": {"mode": "rank", "basis": "household", "percents": ["0", "0", "20"]},
            "late": {"surcharge_amount": "1.00", "cancellation_percent": 100},
        },
    ),
    "morning_care": (
        "Accueil du matin — forfait",
        {
            "pricing": {"method": "flat", "unit_price": "1.50"},
            "late": {"surcharge_percent": "50"},
        },
    ),
    "evening_care": (
        "Accueil du soir — au quart d'heure",
        {
            "pricing": {
                "method": "time_slots",
                "slots": [
                    {"start": "16:30", "end": "18:00", "unit_price": "0.45"},
                    {"start": "18:00", "end": "19:00", "unit_price": "0.60"},
                ],
            },
            "unit": "quarter_hour",
            "default_units": "6",
            "absence": {"billed_price": "1.00"},
        },
    ),
    "leisure_day": (
        "Accueil de loisirs — journée au QF",
        {
            "pricing": {
                "method": "qf_brackets",
                "brackets": [
                    {"min": 0, "max": 600, "unit_price": "6.00"},
                    {"min": 601, "max": 1000, "unit_price": "9.50"},
                    {"min": 1001, "unit_price": "14.00"},
                ],
                "missing_qf_bracket": 2,
            },
            "unit": "day",
            "fiscal_share": "childcare",
        },
    ),
    "leisure_half_day": (
        "Accueil de loisirs — demi-journée (taux d'effort)",
        {
            "pricing": {
                "method": "effort_rate",
                "rate_percent": "0.6",
                "floor": "2.50",
                "ceiling": "8.00",
                "missing_qf_price": "8.00",
            },
            "unit": "day",
            "fiscal_share": "childcare",
        },
    ),
}
NOVEMBER = RunCreate(
    label="Facturation novembre 2026",
    period_start=date(2026, 11, 1),
    period_end=date(2026, 11, 30),
    issue_date=date(2026, 12, 1),
    due_date=date(2026, 12, 20),
    online_payment_until=date(2027, 1, 31),
    minimum_amount=Decimal("5.00"),
)


async def _tenant_id(runtime: ServiceRuntime, wait: float) -> UUID | None:
    deadline = asyncio.get_running_loop().time() + wait
    while True:
        async with runtime.database.transaction() as session:
            found = await ReadModelRepository(session).tenant_by_slug(DEMO_SLUG)
        if found is not None or asyncio.get_running_loop().time() > deadline:
            return found
        await asyncio.sleep(0.5)


async def _stable_count(runtime: ServiceRuntime, model: Any, tenant_id: UUID, wait: float) -> int:
    """Wait until the read model stops growing (the events of other seeds are arriving)."""
    deadline = asyncio.get_running_loop().time() + wait
    last, steady = -1, 0
    while asyncio.get_running_loop().time() < deadline:
        async with runtime.database.transaction() as session:
            count = await ReadModelRepository(session).count(model, tenant_id)
        # Unchanged for three polls: the other seeds' events are in (or there are none).
        steady = steady + 1 if count == last else 0
        if steady >= 3:
            return count
        last = count
        await asyncio.sleep(0.5)
    return max(last, 0)


async def seed_demo(runtime: ServiceRuntime, *, wait: float | None = None) -> None:
    settings = runtime.settings
    assert isinstance(settings, BillingSettings)
    if wait is None:
        # Embedded: the other seeds' events arrive in-process within moments. Distributed:
        # ``seed`` runs before the worker consumes anything; it does what it can at once.
        wait = 20.0 if settings.platform.mode is Mode.EMBEDDED else 2.0
    tenant_id = await _tenant_id(runtime, wait)
    if tenant_id is None:
        log.warning("billing demo: the demo tenant is not known yet (family's events); skipped")
        return
    database = runtime.database
    async with database.transaction() as session:
        profiles = ProfileService(session)
        if await profiles.repository.get(tenant_id) is None:
            await profiles.update(
                tenant_id,
                ProfileIn(
                    school_zone="A",
                    cesu_accepted=True,
                    payee_name="Régie enfance — Mairie de Démonstration",
                    payee_address="1 place de la Mairie\n69100 Villeurbanne",
                    counter_details="Mairie, guichet enfance, du lundi au vendredi, 8 h 30 - 12 h",
                    minimum_invoice_amount=Decimal("5.00"),
                ),
            )
        if await profiles.repository.provider(tenant_id, ProviderPurpose.INVOICES) is None:
            await profiles.set_provider(
                tenant_id, ProviderPurpose.INVOICES, ProviderIn(backend="dummy"), settings
            )

    await _stable_count(runtime, BillingAccount, tenant_id, min(wait, 10.0))
    activities = await _stable_count(runtime, ActivityFact, tenant_id, min(wait, 8.0))
    if not activities:
        log.warning("billing demo: no activity published by booking yet; no tariff, no run")
        return
    async with database.transaction() as session:
        service = TariffService(session)
        known = {t.activity_id for t in await TariffRepository(session).of_tenant(tenant_id)}
        for activity in await ReadModelRepository(session).activities(tenant_id):
            demo = DEMO_TARIFFS.get(activity.kind)
            if demo is None or activity.id in known:
                continue
            label, rules = demo
            await service.create(
                tenant_id,
                TariffIn.model_validate(
                    {
                        "activity_id": activity.id,
                        "label": label,
                        "valid_from": date(2026, 9, 1),
                        "valid_to": date(2027, 8, 31),
                        "rules": rules,
                    }
                ),
            )
    await _november(runtime, tenant_id, settings)


async def _november(runtime: ServiceRuntime, tenant_id: UUID, settings: BillingSettings) -> None:
    database = runtime.database
    async with database.transaction() as session:
        if await RunRepository(session).for_period(tenant_id, NOVEMBER.period_start) is not None:
            return
        cells = await InvoiceRepository(session).cell_groups(
            tenant_id, NOVEMBER.period_start, NOVEMBER.period_end
        )
        if not cells:
            log.warning(
                "billing demo: booking published no cell for November 2026: the November run "
                "is not made (it will be once the booking demo has past bookings)"
            )
            return
        run = await RunService(session).create(tenant_id, NOVEMBER, SEED_ACTOR)
    if run.review and run.review.errors:
        log.warning(
            "billing demo: the November run stays a draft: %s",
            "; ".join(f"{e.message} ({e.count})" for e in run.review.errors),
        )
        return
    async with database.transaction() as session:
        await RunService(session).issue(tenant_id, run.id)
    # A few payments: one family pays at the counter, another in part by cheque.
    async with database.transaction() as session:
        invoices = await InvoiceRepository(session).of_run(run.id, ["issued"])
        service = PaymentService(session, settings, IncidentLog(database))
        profile = await ProfileService(session).profile(tenant_id)
        for invoice, mode, share in zip(invoices, ("cash", "cheque"), (1, 2), strict=False):
            await service.receive(
                tenant_id,
                invoice.household_id,
                invoice.total_cents // share,
                mode,
                chosen=[invoice.id],
                received_on=date(2026, 12, 1) + timedelta(days=1),
                reference="Chèque n° 0004521" if mode == "cheque" else None,
                payer=None,
                actor=SEED_ACTOR,
                receipt_prefix=profile.receipt_prefix,
            )
    async with database.transaction() as session:
        issued = await RunRepository(session).get(tenant_id, run.id)
    log.info("billing demo: November run %s issued", issued.label if issued else run.id)
