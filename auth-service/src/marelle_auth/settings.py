from typing import Any, Self

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from marelle_kit.settings import Mode, ServiceSettings


class AuthSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MARELLE_AUTH_", extra="ignore")

    port: int = 8101
    # Where the portal (the gateway) and the back office receive authorization codes.
    portal_redirect_uris: list[str] = Field(
        default_factory=lambda: [
            "http://127.0.0.1:8000/auth/callback",
            "http://127.0.0.1:8000/admin/connexion/retour",
        ]
    )
    # SECURITY.md: access tokens live 15 minutes at most, codes 10.
    access_token_minutes: int = Field(default=15, ge=1, le=15)
    refresh_token_hours: int = Field(default=12, ge=1, le=24 * 30)
    authorization_code_minutes: int = Field(default=10, ge=1, le=10)
    # The public address of this provider, as the browser reaches it (through the gateway).
    public_url: str = "http://127.0.0.1:8000/api/auth"
    # The signing key is replaced this often (the worker checks hourly); an operator can also
    # rotate it at once, e.g. after a suspected leak.
    signing_key_rotation_days: int = Field(default=90, ge=1, le=365)
    # Password-link tokens are sealed to the mailing-service's public key before they travel
    # (docs/adr/0017-sealed-password-links.md): its JWKS URL, or the key set itself.
    link_keys_url: str | None = None
    link_keys: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _link_keys_outside_embedded(self) -> Self:
        if self.platform.mode is Mode.DISTRIBUTED and not (self.link_keys_url or self.link_keys):
            raise ValueError("distributed mode needs MARELLE_AUTH_LINK_KEYS_URL")
        return self
