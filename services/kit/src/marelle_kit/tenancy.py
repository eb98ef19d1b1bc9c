"""Tenant context: which structure a request acts for.

The gateway resolves the tenant (from the token, or the host for anonymous pages) and passes it
in ``X-Marelle-Tenant``. A service trusts the token first: a token bound to one tenant can never
act for another, whatever the header says. Only an operator may choose a tenant by header.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Depends, Request

from marelle_kit.errors import Forbidden, Problem
from marelle_kit.security import Principal, optional_principal

TENANT_HEADER = "x-marelle-tenant"


class TenantMissing(Problem):
    status = 400
    type = "tenant-missing"
    title = "Structure inconnue"


def _header_tenant(request: Request) -> UUID | None:
    raw = request.headers.get(TENANT_HEADER)
    if not raw:
        return None
    try:
        return UUID(raw)
    except ValueError as exc:
        raise TenantMissing("L'identifiant de structure transmis n'est pas valide.") from exc


async def current_tenant(
    request: Request,
    principal: Annotated[Principal | None, Depends(optional_principal)],
) -> UUID:
    header = _header_tenant(request)
    if principal is not None and principal.tenant_id is not None:
        if header is not None and header != principal.tenant_id:
            raise Forbidden("Ce compte n'appartient pas à cette structure.")
        return principal.tenant_id
    if header is None:
        raise TenantMissing("La structure de la requête n'a pas pu être déterminée.")
    if principal is not None and not principal.is_operator:
        raise Forbidden("Ce compte n'est rattaché à aucune structure.")
    return header


TenantId = Annotated[UUID, Depends(current_tenant)]
