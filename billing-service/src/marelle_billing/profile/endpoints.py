from __future__ import annotations

from fastapi import Response

from marelle_billing.access import administrators, billing_office
from marelle_billing.deps import SettingsDep
from marelle_billing.models import ProviderPurpose
from marelle_billing.profile.schemas import ProfileIn, ProfileOut, ProviderIn, ProviderOut
from marelle_billing.profile.service import ProfileService
from marelle_kit.tenancy import TenantId
from marelle_kit.unit_of_work import SessionDep, transactional_router

office = transactional_router(prefix="/settings", tags=["settings"], dependencies=billing_office)
admins = transactional_router(
    prefix="/settings/providers", tags=["settings"], dependencies=administrators
)


@office.get("", response_model=ProfileOut)
async def get_profile(tenant_id: TenantId, session: SessionDep) -> ProfileOut:
    """The town's billing settings (defaults until saved)."""
    return await ProfileService(session).view(tenant_id)


@office.put("", response_model=ProfileOut)
async def put_profile(data: ProfileIn, tenant_id: TenantId, session: SessionDep) -> ProfileOut:
    return await ProfileService(session).update(tenant_id, data)


@admins.get("", response_model=list[ProviderOut])
async def list_providers(tenant_id: TenantId, session: SessionDep) -> list[ProviderOut]:
    """The online payment providers, per purpose (secrets shown by name only)."""
    return await ProfileService(session).providers(tenant_id)


@admins.put("/{purpose}", response_model=ProviderOut)
async def put_provider(
    purpose: ProviderPurpose,
    data: ProviderIn,
    tenant_id: TenantId,
    session: SessionDep,
    settings: SettingsDep,
) -> ProviderOut:
    """Set the provider of ``invoices`` or ``baskets``: options checked against the eopayment
    backend's description (422 with the reason); secrets encrypted, or ``env:NAME``; secrets
    not given again are kept."""
    return await ProfileService(session).set_provider(tenant_id, purpose, data, settings)


@admins.delete("/{purpose}", status_code=204)
async def delete_provider(
    purpose: ProviderPurpose, tenant_id: TenantId, session: SessionDep
) -> Response:
    await ProfileService(session).delete_provider(tenant_id, purpose)
    return Response(status_code=204)
