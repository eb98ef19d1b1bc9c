from pydantic_settings import SettingsConfigDict

from marelle_kit.settings import ServiceSettings


class BookingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MARELLE_BOOKING_", extra="ignore")

    port: int = 8103
