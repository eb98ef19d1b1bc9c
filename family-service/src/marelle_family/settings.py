from pydantic_settings import SettingsConfigDict

from marelle_kit.settings import ServiceSettings


class FamilySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MARELLE_FAMILY_", extra="ignore")

    port: int = 8102
