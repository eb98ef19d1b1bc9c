"""What the password pages of both audiences share: the checklist before anything is typed,
the server's check of a generated password (so the checklist tells the truth without
JavaScript), and how a refusal of the auth-service shows on the form."""

# No ``from __future__ import annotations`` here: the router factory below builds handlers
# whose annotations FastAPI must read as objects (the dependencies are the factory's arguments).

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse

from marelle_gateway.clients.auth import (
    AuthClient,
    NewPassword,
    PasswordChange,
    PolicyReport,
    Rule,
)
from marelle_gateway.clients.base import Caller, UpstreamProblem
from marelle_gateway.state import AuthClientDep
from marelle_gateway.web import catalog, forms
from marelle_gateway.web.deps import BrowserSessionDep, CsrfChecked, CsrfHeaderChecked
from marelle_gateway.web.errors import PageError
from marelle_gateway.web.rendering import Page, route_path

FORM = "shared/password_form.html"
POLICY_REFUSED = "password-policy"


def initial_rules() -> list[Rule]:
    return [Rule(code=code, label=label, ok=False) for code, label in catalog.PASSWORD_RULES]


class PolicyCheck:
    """The auth-service's checklist for this person (their e-mail and names count): through
    their link (first login) or their session (change)."""

    def __init__(self, auth: AuthClient, caller: Caller, link_token: str | None = None) -> None:
        self.auth, self.caller, self.link_token = auth, caller, link_token

    async def __call__(self, new: NewPassword) -> PolicyReport:
        if self.link_token is not None:
            return await self.auth.check_for_link(self.caller, self.link_token, new)
        return await self.auth.check_for_change(self.caller, new)


async def checked_suggestion(
    auth: AuthClient, check: PolicyCheck, method: Literal["random", "sentence"], sentence: str
) -> dict[str, Any]:
    """A generated password with the server's checklist for it; a sentence that gives a
    password breaking the rules says so."""
    try:
        suggestion = await auth.suggest(method, sentence)
    except UpstreamProblem as problem:
        if problem.unavailable:
            raise PageError("login-unavailable", 503) from problem
        # A sentence asked for but not written is the payload's validation (422, its message
        # on the field).
        return {
            "status_code": 422,
            "sentence": sentence,
            "error": forms.one_message(problem) or catalog.PASSWORD_ERRORS["no-suggestion"],
        }
    new = NewPassword(password=suggestion.password, confirmation=suggestion.password)
    report = await check(new)
    return {
        "status_code": 200 if report.acceptable else 422,
        "sentence": sentence,
        "suggestion": suggestion.password,
        "derivation": suggestion.derivation,
        "rules": report.rules,
        "error": None if report.acceptable else catalog.PASSWORD_ERRORS["sentence-breaks-rules"],
    }


def policy_refused(problem: UpstreamProblem) -> bool:
    """The auth-service's password policy said no (409 ``password-policy``, with the rules)."""
    return problem.status == 409 and problem.code == POLICY_REFUSED


def refusal(problem: UpstreamProblem) -> dict[str, Any]:
    """The auth-service refused the password: the form again with its checklist and the
    reason. The policy's refusal (409 ``password-policy``) and a payload it could not read (422)
    are the form's to correct (422); a wrong current password is a 403. Anything else is not
    the form's business and goes on to the error page."""
    if problem.unavailable:
        raise PageError("login-unavailable", 503) from problem
    if problem.status == 401:
        raise PageError("forbidden", 403) from problem
    if problem.status == 422:
        return {
            "status_code": 422,
            "rules": initial_rules(),
            "error": forms.one_message(problem),
        }
    if not (policy_refused(problem) or problem.status == 403):
        raise problem
    rules = [Rule.model_validate(r) for r in problem.body.get("rules") or []]
    return {
        "status_code": 403 if problem.status == 403 else 422,
        "rules": rules or initial_rules(),
        "error": problem.detail or catalog.PASSWORD_ERRORS["refused"],
    }


def change_page(page: Page, status_code: int = 200, **context: Any) -> HTMLResponse:
    """The signed-in person's change-password page, in the audience's layout."""
    context.setdefault("rules", initial_rules())
    return page.render(FORM, context.pop("status_code", status_code), change=True, **context)


Text = Annotated[str, Form(max_length=1000)]
Method = Annotated[Literal["random", "sentence"], Form()]
Sentence = Annotated[str, Form(max_length=300)]


def change_router(
    path: str,
    name: str,
    *,
    person: Callable[..., Any],
    page: Callable[..., Any],
    back: str,
    dependencies: list[Any] | None = None,
) -> APIRouter:
    """The signed-in person's change-password page, for one audience: ``person`` is its
    signed-in dependency (a parent, a staff member), ``page`` its page dependency, ``back``
    the route the page returns to. Routes: ``name``, ``name.save``, ``name.suggest``,
    ``name.check``."""
    router = APIRouter(prefix=path, dependencies=dependencies or [])
    Person = Annotated[Any, Depends(person)]
    ThePage = Annotated[Page, Depends(page)]

    def show(request: Request, shown: Page, **context: Any) -> HTMLResponse:
        return change_page(
            shown,
            back=route_path(request, back),
            form_action=route_path(request, f"{name}.save"),
            suggest_action=route_path(request, f"{name}.suggest"),
            check_url=route_path(request, f"{name}.check"),
            **context,
        )

    @router.get("", name=name)
    async def form(request: Request, who: Person, shown: ThePage) -> HTMLResponse:
        return show(request, shown)

    @router.post("", name=f"{name}.save", dependencies=[CsrfChecked])
    async def save(
        request: Request,
        who: Person,
        session: BrowserSessionDep,
        auth: AuthClientDep,
        shown: ThePage,
        current_password: Text = "",
        password: Text = "",
        confirmation: Text = "",
    ) -> HTMLResponse:
        change = PasswordChange(
            current_password=current_password,
            password=password,
            confirmation=confirmation,
            keep_refresh_token=session.data.refresh_token,
        )
        try:
            await auth.change_password(who, change)
        except UpstreamProblem as problem:
            return show(request, shown, **refusal(problem))
        return shown.render("shared/password_changed.html", back=route_path(request, back))

    @router.post("/proposition", name=f"{name}.suggest", dependencies=[CsrfChecked])
    async def suggest(
        request: Request,
        who: Person,
        auth: AuthClientDep,
        shown: ThePage,
        method: Method = "random",
        sentence: Sentence = "",
    ) -> HTMLResponse:
        """The generators without JavaScript: the proposal comes back, checked."""
        context = await checked_suggestion(auth, PolicyCheck(auth, who), method, sentence)
        return show(request, shown, **context)

    @router.post("/verification", name=f"{name}.check", dependencies=[CsrfHeaderChecked])
    async def check(new: NewPassword, who: Person, auth: AuthClientDep) -> JSONResponse:
        """The live checklist (password.js)."""
        return JSONResponse((await auth.check_for_change(who, new)).model_dump())

    return router
