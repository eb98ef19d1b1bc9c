from pydantic_settings import SettingsConfigDict

from marelle_kit.settings import ServiceSettings


class MailingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MARELLE_MAILING_", extra="ignore")

    port: int = 8105
