from pydantic_settings import SettingsConfigDict

from marelle_kit.settings import ServiceSettings


class AuthSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MARELLE_AUTH_", extra="ignore")

    port: int = 8101
