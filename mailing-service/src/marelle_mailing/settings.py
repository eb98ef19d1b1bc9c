from pathlib import Path
from typing import Literal, Self

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from marelle_kit.settings import Mode, ServiceSettings


class MailingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MARELLE_MAILING_", extra="ignore")

    port: int = 8105
    # Where links in mails point: "{slug}" is replaced by the tenant's slug.
    portal_url: str = "http://127.0.0.1:8000"
    sender: str = "Marelle <ne-pas-repondre@marelle.invalid>"
    # The mailbox behind the "mailto:" of List-Unsubscribe (RFC 8058 keeps the URL as the
    # one-click way; the mailto is the fallback some clients use). None: URL only.
    unsubscribe_mailto: str | None = None
    # SMTP in distributed mode; embedded mode keeps mails in the local mailbox (its database).
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    smtp_timeout: float = 15.0
    delivery_poll_interval: float = 1.0
    max_delivery_attempts: int = 6
    # Grouped mails (mailings) leave at most this many per minute, across every dispatcher;
    # transactional mails are never held back by them.
    grouped_per_minute: int = Field(default=120, ge=1, le=100_000)
    # Uploaded attachments and published documents: where the bytes live, and how big.
    files_store: Literal["local", "database"] | None = None
    files_dir: Path | None = None
    files_max_bytes: int = 5 * 1024 * 1024
    # SMS: "capture" keeps them in this database (embedded mode, tests); "brevo" sends them
    # through Brevo's transactional SMS API with this key.
    sms_provider: Literal["capture", "brevo"] = "capture"
    sms_api_key: str | None = None
    sms_api_url: str = "https://api.brevo.com/v3/transactionalSMS/send"
    sms_timeout: float = 10.0
    # Scheduled notices (deadline reminders, expiry notices) are looked for this often.
    notices_interval: float = Field(default=900.0, gt=0)

    @property
    def resolved_files_store(self) -> Literal["local", "database"]:
        if self.files_store is not None:
            return self.files_store
        return "database" if self.platform.mode is Mode.DISTRIBUTED else "local"

    @property
    def resolved_files_dir(self) -> Path:
        return self.files_dir or self.platform.data_dir / "mailing-files"

    @property
    def captures_mail(self) -> bool:
        """The embedded demo's captured mailbox: no SMTP, mails stay here (with their links)."""
        return self.platform.mode is Mode.EMBEDDED and not self.smtp_host

    @model_validator(mode="after")
    def _smtp_outside_embedded(self) -> Self:
        if self.platform.mode is Mode.DISTRIBUTED and not self.smtp_host:
            raise ValueError("distributed mode needs MARELLE_MAILING_SMTP_HOST")
        if self.sms_provider == "brevo" and not self.sms_api_key:
            raise ValueError("the brevo SMS provider needs MARELLE_MAILING_SMS_API_KEY")
        return self
