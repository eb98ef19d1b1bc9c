"""CSRF protection for the server-rendered forms: a random token in an HttpOnly cookie, its signed
copy in each form; a POST is accepted only when both match (double submit, signed). Pages take
it as a dependency (:data:`CsrfChecked`); a failure is the « formulaire expiré » page."""

from __future__ import annotations

import secrets

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

CSRF_COOKIE = "marelle_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
MAX_AGE_SECONDS = 8 * 3600


class CsrfProtection:
    def __init__(self, secret_key: str, *, secure_cookies: bool) -> None:
        self.serializer = URLSafeTimedSerializer(secret_key, salt="marelle-csrf")
        self.secure_cookies = secure_cookies

    def token_for(self, request: Request, response: Response) -> str:
        """The form token for this browser; sets the cookie on first visit."""
        raw = request.cookies.get(CSRF_COOKIE)
        if not raw or len(raw) != 43:
            raw = secrets.token_urlsafe(32)
            response.set_cookie(
                CSRF_COOKIE,
                raw,
                max_age=MAX_AGE_SECONDS,
                httponly=True,
                secure=self.secure_cookies,
                samesite="lax",
                path="/",
            )
        return self.serializer.dumps(raw)

    def is_valid(self, request: Request, submitted: str | None) -> bool:
        raw = request.cookies.get(CSRF_COOKIE)
        if not raw or not submitted:
            return False
        try:
            expected = self.serializer.loads(submitted, max_age=MAX_AGE_SECONDS)
        except BadSignature:
            return False
        return secrets.compare_digest(str(expected), raw)
