"""Everything held on a household, for the parent's right of access (RGPD art. 15) and staff
exports: the record, the children with their contacts, the change requests, the documents'
descriptions (their bytes are downloaded one by one)."""

from __future__ import annotations

from typing import Any

from marelle_family.documents.repository import DocumentRepository
from marelle_family.editing.service import requests_of_household
from marelle_family.households.service import HouseholdService
from marelle_family.models import Household, Tenant
from marelle_kit.clock import utcnow
from marelle_kit.database import WriteSession
from marelle_kit.security import Principal


async def household_export(
    session: WriteSession, tenant: Tenant, household: Household, reader: Principal
) -> dict[str, Any]:
    """Reading the record writes the staff reader to the children's access log."""
    record = await HouseholdService(session).view(household, reader)
    requests = await requests_of_household(session, tenant.id, household.id)
    documents = await DocumentRepository(session).of_household(tenant.id, household.id)
    return {
        "generated_at": utcnow().isoformat(),
        "controller": tenant.name,
        "household": record.model_dump(mode="json"),
        "change_requests": [r.model_dump(mode="json") for r in requests],
        "documents": [
            {
                "id": str(d.id),
                "name": d.name,
                "description": d.description,
                "attached_to": d.person_kind,
                "person_id": str(d.person_id),
                "content_type": d.content_type,
                "size": d.size,
                "uploaded_at": d.created_at.isoformat(),
            }
            for d in sorted(documents, key=lambda d: d.created_at)
        ],
    }
