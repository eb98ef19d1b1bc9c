"""Page errors: a dependency or a handler raises, one handler renders the French error page.

- :class:`PageError` carries a catalogue code and a status (404 « Fiche introuvable »...).
- :class:`SignedOut` sends the browser to the audience's login page.
- An :class:`UpstreamProblem` nobody caught becomes the page that fits its status.
- A malformed id in a page address (``/admin/foyers/pas-un-uuid``) is a 404 page, never JSON.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from marelle_gateway.clients.base import UpstreamProblem
from marelle_kit.errors import problem_response

log = logging.getLogger("marelle.gateway.pages")


class PageError(Exception):
    """A page that cannot be shown: ``code`` names its title and message in the catalogue;
    ``detail`` (a service's own French message) may complete it."""

    def __init__(self, code: str, status: int, *, detail: str | None = None) -> None:
        super().__init__(code)
        self.code, self.status, self.detail = code, status, detail

    @classmethod
    def from_problem(
        cls, problem: UpstreamProblem, *, missing: str = "record-not-found"
    ) -> PageError:
        """What a person is told of a failed read: not there (404, or 403: no sign of what
        exists elsewhere), or the service did not answer."""
        if problem.status in (403, 404):
            return cls(missing, 404)
        if problem.unavailable:
            return cls("unavailable", 503)
        return cls(
            "refused",
            problem.status if 400 <= problem.status < 500 else 502,
            detail=problem.detail or None,
        )


class SignedOut(Exception):
    """No signed-in person (or their session could not be refreshed): to the login page."""


ErrorRenderer = Callable[[Request, PageError], Awaitable[Response]]


def install_page_errors(
    app: FastAPI, render: ErrorRenderer, login_route: str, *, api_prefix: str | None = None
) -> None:
    """One handler for every page error of ``app``; ``render`` draws it in the app's layout.
    Below ``api_prefix`` (the gateway's proxy) errors stay problem+json."""

    def for_api(request: Request) -> bool:
        return api_prefix is not None and request.url.path.startswith(api_prefix)

    async def on_page_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, PageError)
        return await render(request, exc)

    async def on_signed_out(request: Request, exc: Exception) -> Response:
        return RedirectResponse(request.url_for(login_route).path, status_code=303)

    async def on_upstream(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, UpstreamProblem)
        if exc.unavailable:
            log.warning("page %s: %s", request.url.path, exc)
        return await render(request, PageError.from_problem(exc))

    async def on_validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        if for_api(request):
            return problem_response(
                422, "validation-error", "Données invalides", "Les données envoyées sont invalides."
            )
        in_path = any(error.get("loc", ("",))[0] == "path" for error in exc.errors())
        error = PageError("not-found", 404) if in_path else PageError("bad-address", 400)
        return await render(request, error)

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if for_api(request):
            not_found = exc.status_code == 404
            return problem_response(
                exc.status_code,
                "not-found" if not_found else "http-error",
                "Ressource introuvable" if not_found else "Erreur",
                str(exc.detail),
            )
        code = "not-found" if exc.status_code == 404 else "bad-address"
        return await render(request, PageError(code, exc.status_code))

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        log.exception("page %s failed", request.url.path, exc_info=exc)
        if for_api(request):
            return problem_response(
                500, "internal-error", "Erreur interne", "Une erreur inattendue est survenue."
            )
        return await render(request, PageError("server-error", 500))

    app.add_exception_handler(Exception, on_unexpected)
    app.add_exception_handler(PageError, on_page_error)
    app.add_exception_handler(SignedOut, on_signed_out)
    app.add_exception_handler(UpstreamProblem, on_upstream)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
