from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Path, Request, Response

from marelle_auth import catalogue
from marelle_auth.accounts.repository import AccountRepository
from marelle_auth.audit.service import AuditLog, client_ip
from marelle_auth.catalogue import LinkInvalid, WrongCurrentPassword
from marelle_auth.oidc.service import OidcService
from marelle_auth.passwords.generators import from_sentence, random_password
from marelle_auth.passwords.policy import PolicyReport, evaluate
from marelle_auth.passwords.schemas import (
    TOKEN_SHAPE,
    LinkInfo,
    LinkRequest,
    NewPassword,
    PasswordChange,
    PasswordCheck,
    PolicyOut,
    RuleOut,
    Suggestion,
    SuggestionRequest,
)
from marelle_auth.passwords.service import PasswordService, change_password
from marelle_kit.errors import Problem
from marelle_kit.security import CurrentPrincipal
from marelle_kit.tenancy import TenantId
from marelle_kit.unit_of_work import SessionDep, transactional_router

router = transactional_router(prefix="/password", tags=["password"])


def policy_out(report: PolicyReport) -> PolicyOut:
    return PolicyOut(
        acceptable=report.acceptable,
        entropy_bits=report.entropy_bits,
        strength=report.strength,
        rules=[RuleOut(code=r.code, label=r.label, ok=r.ok) for r in report.rules],
    )


Token = Annotated[str, Path(max_length=200)]


def _well_formed(token: str) -> str:
    if not TOKEN_SHAPE.fullmatch(token):
        raise LinkInvalid(catalogue.LINK_INVALID)
    return token


async def _audit_refusal(request: Request, tenant_id: UUID, action: str, problem: Problem) -> None:
    """Refusals roll the request's transaction back: their audit entry gets its own."""
    runtime = request.app.state.runtime
    async with runtime.database.transaction() as session:
        await AuditLog(session).record(
            action, "refused", tenant_id=tenant_id, ip=client_ip(request), detail=problem.type
        )


@router.post("/links", status_code=202)
async def request_link(
    request: Request, data: LinkRequest, tenant_id: TenantId, session: SessionDep
) -> dict[str, str]:
    """First login and forgotten password: the same neutral answer whether or not the e-mail
    is known (no account enumeration)."""
    await PasswordService(session, ip=client_ip(request)).request_link(tenant_id, data.email)
    return {"detail": catalogue.LINK_SENT}


@router.get("/links/{token}", response_model=LinkInfo)
async def inspect_link(token: Token, tenant_id: TenantId, session: SessionDep) -> LinkInfo:
    link, account = await PasswordService(session).open_link(tenant_id, _well_formed(token))
    return LinkInfo(
        purpose=link.purpose,
        email=account.email,
        first_name=account.first_name,
        expires_at=link.expires_at,
    )


@router.post("/links/{token}/password", status_code=204)
async def set_password(
    request: Request, token: Token, data: NewPassword, tenant_id: TenantId, session: SessionDep
) -> Response:
    try:
        await PasswordService(session, ip=client_ip(request)).set_password(
            tenant_id, _well_formed(token), data.password, data.confirmation
        )
    except Problem as problem:
        await _audit_refusal(request, tenant_id, "password.set", problem)
        raise
    return Response(status_code=204)


@router.post("/links/{token}/check", response_model=PolicyOut)
async def check_for_link(
    token: Token, data: NewPassword, tenant_id: TenantId, session: SessionDep
) -> PolicyOut:
    """The live checklist for this person (their e-mail and names count)."""
    service = PasswordService(session)
    _link, account = await service.open_link(tenant_id, _well_formed(token))
    return policy_out(service.check(account, data.password, data.confirmation))


@router.post("/change/check", response_model=PolicyOut)
async def check_for_change(
    data: NewPassword, principal: CurrentPrincipal, tenant_id: TenantId, session: SessionDep
) -> PolicyOut:
    """The live checklist of the change-password page, for the signed-in person."""
    service = PasswordService(session)
    account = await service.accounts.by_id(UUID(principal.subject))
    if account is None or account.tenant_id != tenant_id:
        raise WrongCurrentPassword(catalogue.ACCOUNT_UNUSABLE)
    return policy_out(service.check(account, data.password, data.confirmation))


@router.post("/check", response_model=PolicyOut)
async def check(data: PasswordCheck) -> PolicyOut:
    return policy_out(
        evaluate(data.password, data.confirmation, email=data.email, names=tuple(data.names))
    )


@router.post("/suggestions", response_model=Suggestion)
async def suggest(data: SuggestionRequest) -> Suggestion:
    if data.method == "random" or data.sentence is None:
        return Suggestion(password=random_password())
    derivation = from_sentence(data.sentence)
    return Suggestion(password=derivation.password, derivation=list(derivation.steps))


@router.post("/change", status_code=204)
async def change(
    request: Request,
    data: PasswordChange,
    principal: CurrentPrincipal,
    tenant_id: TenantId,
    session: SessionDep,
) -> Response:
    """The current password is checked as a login is (same limits, same audit, same lock), in
    its own transaction so a failure is counted even though the change is refused."""
    ip = client_ip(request)
    runtime = request.app.state.runtime
    account = await AccountRepository(session).by_id(UUID(principal.subject))
    if account is None or account.tenant_id != tenant_id or not account.active:
        raise WrongCurrentPassword(catalogue.ACCOUNT_UNUSABLE)
    async with runtime.database.transaction() as login_session:
        verified = await OidcService(
            login_session, runtime.settings, ip=ip, throttle=runtime.state.get("login_throttle")
        ).authenticate(tenant_id, account.email, data.current_password)
    if verified is None:
        raise WrongCurrentPassword(catalogue.WRONG_CURRENT_PASSWORD)
    await session.refresh(account)
    try:
        await change_password(session, account, data, ip=ip)
    except Problem as problem:
        await _audit_refusal(request, tenant_id, "password.changed", problem)
        raise
    return Response(status_code=204)
