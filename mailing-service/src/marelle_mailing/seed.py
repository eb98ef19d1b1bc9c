"""Demo data of the embedded mode: the demo town's services (« Service enfance »,
« Restauration », « Régie »), its document categories and its contact details, made through
the same services as real data, once."""

from __future__ import annotations

import asyncio
import logging

from marelle_kit.runtime import ServiceRuntime
from marelle_kit.settings import Mode
from marelle_mailing.configuration.schemas import CommunicationSettingsIn, DeskIn
from marelle_mailing.configuration.service import Configuration
from marelle_mailing.models import tenants
from marelle_mailing.publications.schemas import CategoryIn
from marelle_mailing.publications.service import Publications
from marelle_mailing.settings import MailingSettings

log = logging.getLogger(__name__)

DEMO_SLUG = "demo"
DESKS = (
    ("Service enfance", "Inscriptions, accueil périscolaire, centre de loisirs, absences."),
    ("Restauration", "Cantine, menus, régimes alimentaires."),
    ("Régie", "Factures, paiements, attestations."),
)
CATEGORIES = ("Menus", "Activités", "Règlements", "Formulaires")


async def seed_demo(runtime: ServiceRuntime, wait: float = 30.0) -> None:
    settings = runtime.settings
    assert isinstance(settings, MailingSettings)
    if settings.platform.mode is not Mode.EMBEDDED:
        return
    # The demo tenant comes from the family-service's event: wait for it a little.
    tenant_id = None
    for _ in range(int(wait / 0.2)):
        async with runtime.database.transaction() as session:
            tenant_id = await tenants.id_of(session, DEMO_SLUG)
        if tenant_id is not None:
            break
        await asyncio.sleep(0.2)
    if tenant_id is None:
        log.warning("mailing seed: the demo tenant never arrived; no demo services")
        return
    async with runtime.database.transaction() as session:
        config = Configuration(session)
        if await config.desks.of_tenant(tenant_id, active_only=False):
            return  # seeded before
        for position, (name, description) in enumerate(DESKS):
            await config.add_desk(
                tenant_id, DeskIn(name=name, description=description, position=position)
            )
        await config.save(
            tenant_id,
            CommunicationSettingsIn(
                postal_address="1 place de la Mairie, 81500 Démonstration",
                phone="05 00 00 00 00",
                opening_hours="Du lundi au vendredi, 8 h 30 – 12 h et 13 h 30 – 17 h 30",
            ),
        )
        publications = Publications(session, settings)
        for position, name in enumerate(CATEGORIES):
            await publications.add_category(tenant_id, CategoryIn(name=name, position=position))
