"""The family-service: tenants and the households' records."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter

from marelle_family.adults import endpoints as adults
from marelle_family.children import endpoints as children
from marelle_family.documents import endpoints as documents
from marelle_family.editing import endpoints as editing
from marelle_family.guardians import endpoints as guardians
from marelle_family.households import endpoints as households
from marelle_family.imports import endpoints as imports
from marelle_family.models import events, metadata
from marelle_family.privacy import consumers as privacy_consumers
from marelle_family.privacy import endpoints as privacy
from marelle_family.seed import seed_demo
from marelle_family.settings import FamilySettings
from marelle_family.tenants import endpoints as tenants
from marelle_kit.runtime import ServiceDefinition


def routers() -> list[APIRouter]:
    return [
        tenants.public,
        tenants.operators,
        tenants.admins,
        households.office,
        households.readers,
        households.members,
        guardians.office,
        adults.office,
        children.office,
        children.members,
        children.supervisors,
        editing.office,
        editing.members,
        editing.admins,
        privacy.members,
        privacy.supervisors,
        privacy.retention,
        documents.members,
        imports.supervisors,
    ]


definition = ServiceDefinition(
    name="family",
    title="Marelle — dossiers des familles",
    settings_class=FamilySettings,
    metadata=metadata,
    tables=events,
    migrations=Path(__file__).parent / "migrations",
    routers=routers,
    handlers=privacy_consumers.handlers,
    seed=seed_demo,
)
