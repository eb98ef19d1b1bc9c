from pydantic_settings import SettingsConfigDict

from marelle_kit.settings import ServiceSettings


class BillingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MARELLE_BILLING_", extra="ignore")

    port: int = 8104
