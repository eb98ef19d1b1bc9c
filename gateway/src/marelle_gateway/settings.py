from __future__ import annotations

from typing import Self

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from marelle_kit.settings import Mode, PlatformSettings

SERVICES = ("auth", "family", "booking", "billing", "mailing")


class GatewaySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MARELLE_GATEWAY_", extra="ignore")

    platform: PlatformSettings = Field(default_factory=PlatformSettings)
    host: str = "127.0.0.1"
    port: int = 8000
    auth_url: str = "http://127.0.0.1:8101"
    family_url: str = "http://127.0.0.1:8102"
    booking_url: str = "http://127.0.0.1:8103"
    billing_url: str = "http://127.0.0.1:8104"
    mailing_url: str = "http://127.0.0.1:8105"
    # Tenant of anonymous pages: "<slug><suffix>" hosts, else the default (embedded: "demo").
    default_tenant_slug: str | None = None
    tenant_host_suffix: str | None = None
    tenant_cache_seconds: float = 60.0
    connect_timeout: float = 2.0
    proxy_timeout: float = 15.0
    max_connections: int = 200
    rate_limit_requests: int = 300
    rate_limit_window_seconds: int = 60
    secure_cookies: bool = False
    # The portal's public address: the OAuth redirect URI is "<public_url>/auth/callback".
    public_url: str = "http://127.0.0.1:8000"
    # The back office's address as staff reach it (its OAuth redirect URI is
    # "<backoffice_url>/admin/connexion/retour"). Embedded: the gateway serves it at /admin;
    # distributed: `python -m marelle_gateway backoffice` serves it on backoffice_port.
    backoffice_url: str | None = None
    backoffice_port: int = 8001
    # False when the back office runs as its own process: this gateway then serves no /admin.
    serve_backoffice: bool = True
    # The legal notice names who hosts the instance (empty: a local installation).
    operator_name: str | None = None
    operator_address: str | None = None
    # Signs the CSRF tokens; required outside the embedded mode.
    secret_key: str | None = None

    @model_validator(mode="after")
    def _secret_outside_embedded(self) -> Self:
        if self.platform.mode is Mode.DISTRIBUTED and not self.secret_key:
            raise ValueError("distributed mode needs MARELLE_GATEWAY_SECRET_KEY")
        return self

    @property
    def staff_url(self) -> str:
        return (self.backoffice_url or self.public_url).rstrip("/")

    def upstream(self, service: str) -> str | None:
        if service not in SERVICES:
            return None
        return str(getattr(self, f"{service}_url")).rstrip("/")
