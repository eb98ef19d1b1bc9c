"""Passwords: the first-login / forgotten-password flow (seeds 000–003) and the signed-in
parent's change of password. Usable without JavaScript: password.js only adds the live
checklist and the copy button; a generated password comes back checked by the server."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from marelle_gateway.clients.auth import LinkInfo, NewPassword
from marelle_gateway.clients.base import Anonymous, UpstreamProblem
from marelle_gateway.portal.layout import PortalPage, portal_page
from marelle_gateway.state import AuthClientDep
from marelle_gateway.web import catalog, passwords
from marelle_gateway.web.deps import (
    CsrfChecked,
    CsrfHeaderChecked,
    PageTenant,
    current_parent,
)
from marelle_gateway.web.errors import PageError
from marelle_gateway.web.passwords import Method, Sentence, Text
from marelle_gateway.web.rendering import Page, redirect_to, route_path

router = APIRouter(include_in_schema=False)


class LinkProblem(Exception):
    """The link no longer works (expired, used, unknown): its own page says why."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(code)
        self.code, self.detail = code, detail


async def open_link(token: str, tenant: PageTenant, auth: AuthClientDep) -> LinkInfo:
    try:
        return await auth.inspect_link(Anonymous(tenant.id), token)
    except UpstreamProblem as problem:
        if problem.unavailable:
            raise PageError("login-unavailable", 503) from problem
        raise LinkProblem(problem.code, problem.detail) from problem


def _link_problem(page: Page, problem: LinkProblem) -> HTMLResponse:
    title, message = catalog.LINK_PROBLEMS.get(problem.code, catalog.LINK_PROBLEMS["link-invalid"])
    return page.render(
        "portal/passwords/link_problem.html",
        410,
        title=title,
        message=message,
        detail=problem.detail,
    )


def _link_page(
    request: Request, page: Page, token: str, link: LinkInfo, **context: Any
) -> HTMLResponse:
    context.setdefault("rules", passwords.initial_rules())
    return page.render(
        passwords.FORM,
        context.pop("status_code", 200),
        link=link,
        form_action=route_path(request, "portal.set_password.save", token=token),
        suggest_action=route_path(request, "portal.set_password.suggest", token=token),
        check_url=route_path(request, "portal.set_password.check", token=token),
        **context,
    )


@router.get("/premiere-connexion", name="portal.ask_link")
async def ask_link_page(page: PortalPage) -> HTMLResponse:
    return page.render("portal/passwords/ask_link.html")


@router.post("/premiere-connexion", name="portal.ask_link.send", dependencies=[CsrfChecked])
async def ask_link(
    tenant: PageTenant,
    auth: AuthClientDep,
    page: PortalPage,
    email: Annotated[str, Form(max_length=1000)] = "",
) -> HTMLResponse:
    try:
        detail = await auth.request_link(Anonymous(tenant.id), email)
    except UpstreamProblem as problem:
        if problem.status != 422:
            raise PageError("login-unavailable", 503) from problem
        error = catalog.PASSWORD_ERRORS["invalid-email"]
        return page.render("portal/passwords/ask_link.html", 422, email=email, error=error)
    return page.render("portal/passwords/link_sent.html", message=detail)


@router.get("/mot-de-passe/{token}", name="portal.set_password", response_model=None)
async def set_password_page(
    request: Request, token: str, tenant: PageTenant, auth: AuthClientDep, page: PortalPage
) -> Response:
    try:
        link = await open_link(token, tenant, auth)
    except LinkProblem as problem:
        return _link_problem(page, problem)
    return _link_page(request, page, token, link)


@router.post(
    "/mot-de-passe/{token}",
    name="portal.set_password.save",
    dependencies=[CsrfChecked],
    response_model=None,
)
async def set_password(
    request: Request,
    token: str,
    tenant: PageTenant,
    auth: AuthClientDep,
    page: PortalPage,
    password: Text = "",
    confirmation: Text = "",
) -> Response:
    new = NewPassword(password=password, confirmation=confirmation)
    try:
        link = await open_link(token, tenant, auth)
        await auth.set_password(Anonymous(tenant.id), token, new)
    except LinkProblem as problem:
        return _link_problem(page, problem)
    except UpstreamProblem as problem:
        if passwords.policy_refused(problem) or problem.status == 422:
            return _link_page(request, page, token, link, **passwords.refusal(problem))
        if problem.unavailable:
            raise PageError("login-unavailable", 503) from problem
        return _link_problem(page, LinkProblem(problem.code, problem.detail))
    return redirect_to(request, "portal.password_saved")


@router.post(
    "/mot-de-passe/{token}/proposition",
    name="portal.set_password.suggest",
    dependencies=[CsrfChecked],
    response_model=None,
)
async def suggest_for_link(
    request: Request,
    token: str,
    tenant: PageTenant,
    auth: AuthClientDep,
    page: PortalPage,
    method: Method = "random",
    sentence: Sentence = "",
) -> Response:
    """The generators without JavaScript: the page comes back with the proposal, checked."""
    try:
        link = await open_link(token, tenant, auth)
    except LinkProblem as problem:
        return _link_problem(page, problem)
    check = passwords.PolicyCheck(auth, Anonymous(tenant.id), token)
    context = await passwords.checked_suggestion(auth, check, method, sentence)
    return _link_page(request, page, token, link, **context)


@router.post(
    "/mot-de-passe/{token}/verification",
    name="portal.set_password.check",
    dependencies=[CsrfHeaderChecked],
)
async def check_for_link(
    token: str, new: NewPassword, tenant: PageTenant, auth: AuthClientDep
) -> JSONResponse:
    """The live checklist (password.js)."""
    try:
        report = await auth.check_for_link(Anonymous(tenant.id), token, new)
    except UpstreamProblem as problem:
        return JSONResponse({"detail": problem.detail}, status_code=problem.status)
    return JSONResponse(report.model_dump())


@router.get("/mot-de-passe-enregistre", name="portal.password_saved")
async def password_saved(page: PortalPage) -> HTMLResponse:
    return page.render("portal/passwords/saved.html")


# The signed-in parent's password (one page for both audiences: web/passwords.py).
router.include_router(
    passwords.change_router(
        "/mon-compte/mot-de-passe",
        "portal.password",
        person=current_parent,
        page=portal_page,
        back="portal.home",
    )
)
