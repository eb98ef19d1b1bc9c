"""Everything held on a household, for the parent's right of access (RGPD art. 15) and staff
exports: the record, the children with their contacts, the change requests, the documents'
descriptions (their bytes are downloaded one by one)."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from marelle_family.editing.service import RecordEditor
from marelle_family.households.service import HouseholdService
from marelle_family.models import Document, Household, Tenant
from marelle_kit.clock import utcnow
from marelle_kit.database import WriteSession
from marelle_kit.security import Principal


async def household_export(
    session: WriteSession, tenant: Tenant, household: Household, reader: Principal
) -> dict[str, Any]:
    record = await HouseholdService(session).view(household, reader)
    requests = await RecordEditor(session).of_household(tenant.id, household.id)
    documents = await session.scalars(
        select(Document)
        .where(col(Document.tenant_id) == tenant.id, col(Document.household_id) == household.id)
        .order_by(col(Document.created_at))
    )
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
            for d in documents
        ],
    }
