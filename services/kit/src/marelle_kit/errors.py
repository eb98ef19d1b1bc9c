"""One error model: RFC 9457 problem+json with a stable type and a French message for people."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from marelle_kit.context import correlation_id_var

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "urn:marelle:problem:"


class Problem(Exception):
    """A typed, status-coded error; subclasses fix the status and the stable type."""

    status: int = 400
    type: str = "bad-request"
    title: str = "Requête invalide"

    def __init__(
        self, detail: str | None = None, *, headers: dict[str, str] | None = None, **extensions: Any
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.headers = headers or {}
        self.extensions = extensions


class NotFound(Problem):
    status = 404
    type = "not-found"
    title = "Ressource introuvable"


class Conflict(Problem):
    status = 409
    type = "conflict"
    title = "Conflit avec l'état actuel"


class Unauthorized(Problem):
    status = 401
    type = "unauthorized"
    title = "Authentification requise"


class Forbidden(Problem):
    status = 403
    type = "forbidden"
    title = "Accès refusé"


VALIDATION_TYPE = "validation-error"
VALIDATION_TITLE = "Données invalides"
VALIDATION_DETAIL = "Les données envoyées sont invalides ; corrigez les champs signalés."


class InvalidPayload(Problem):
    """Payload validation that pydantic cannot express (an uploaded file's content, a form
    field's characters): the same 422 ``validation-error`` problem, with the field's error.
    Never for a business rule: those are 409, 403 or 404."""

    status = 422
    type = VALIDATION_TYPE
    title = VALIDATION_TITLE

    def __init__(self, field: str, message: str, *, code: str = "invalid") -> None:
        super().__init__(
            VALIDATION_DETAIL, errors=[{"field": field, "code": code, "message": message}]
        )


class ServiceUnavailable(Problem):
    status = 503
    type = "service-unavailable"
    title = "Service momentanément indisponible"


def problem_response(
    status: int, type_: str, title: str, detail: str, **extensions: Any
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + type_,
        "title": title,
        "status": status,
        "detail": detail,
    }
    request_id = correlation_id_var.get()
    if request_id:
        body["request_id"] = request_id
    body.update(extensions)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


_VALIDATION_MESSAGES = {
    "missing": "Ce champ est obligatoire.",
    "string_too_long": "Ce texte est trop long.",
    "string_too_short": "Ce texte est trop court.",
    "string_pattern_mismatch": "Ce format n'est pas accepté.",
    "value_error": "Cette valeur n'est pas acceptée.",
    "uuid_parsing": "Cet identifiant n'est pas valide.",
    "int_parsing": "Un nombre entier est attendu.",
    "json_invalid": "Le corps de la requête n'est pas un JSON valide.",
    "extra_forbidden": "Ce champ n'est pas attendu.",
    "too_long": "Trop d'éléments.",
    "literal_error": "Cette valeur n'est pas proposée.",
}


def validation_message(error: Any) -> str:
    """The French message of one pydantic error (its dict from ``errors()``)."""
    if error.get("type") == "value_error":
        # Our validators raise ValueError with a French message; pydantic prefixes it.
        text = str(error.get("msg", "")).removeprefix("Value error, ")
        if not text:
            return "Cette valeur n'est pas acceptée."
        sentence = text[:1].upper() + text[1:]
        return sentence if sentence.endswith((".", "!", "?", "»")) else sentence + "."
    return _VALIDATION_MESSAGES.get(str(error.get("type")), "Cette valeur n'est pas valide.")


def _field_errors(exc: RequestValidationError) -> list[dict[str, str]]:
    errors = []
    for error in exc.errors():
        location = [str(part) for part in error.get("loc", ()) if part not in ("body",)]
        errors.append(
            {
                "field": ".".join(location),
                "code": str(error.get("type", "invalid")),
                "message": validation_message(error),
            }
        )
    return errors


def install_problem_handlers(app: FastAPI) -> None:
    async def on_problem(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, Problem)
        response = problem_response(exc.status, exc.type, exc.title, exc.detail, **exc.extensions)
        response.headers.update(exc.headers)
        return response

    async def on_validation(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return problem_response(
            422, VALIDATION_TYPE, VALIDATION_TITLE, VALIDATION_DETAIL, errors=_field_errors(exc)
        )

    async def on_http(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        titles = {
            404: ("not-found", "Ressource introuvable"),
            405: ("method-not-allowed", "Méthode non autorisée"),
        }
        type_, title = titles.get(exc.status_code, ("http-error", "Erreur"))
        detail = exc.detail if isinstance(exc.detail, str) else title
        return problem_response(exc.status_code, type_, title, detail)

    async def on_unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error", exc_info=exc)
        return problem_response(
            500,
            "internal-error",
            "Erreur interne",
            "Une erreur inattendue est survenue ; rien n'a été enregistré.",
        )

    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_unexpected)
