from typing import Self

from pydantic import model_validator
from pydantic_settings import SettingsConfigDict

from marelle_kit.settings import Mode, ServiceSettings


class MailingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MARELLE_MAILING_", extra="ignore")

    port: int = 8105
    # Where links in mails point: "{slug}" is replaced by the tenant's slug.
    portal_url: str = "http://127.0.0.1:8000"
    sender: str = "Marelle <ne-pas-repondre@marelle.invalid>"
    # SMTP in distributed mode; embedded mode keeps mails in the local mailbox (its database).
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    smtp_timeout: float = 15.0
    delivery_poll_interval: float = 1.0
    max_delivery_attempts: int = 6

    @model_validator(mode="after")
    def _smtp_outside_embedded(self) -> Self:
        if self.platform.mode is Mode.DISTRIBUTED and not self.smtp_host:
            raise ValueError("distributed mode needs MARELLE_MAILING_SMTP_HOST")
        return self
