"""Settings: one class per service, prefixed environment variables, validated at start.

Platform-wide values (mode, Kafka, Redis, JWKS) are read once from ``MARELLE_*``; each service
adds its own under ``MARELLE_<SERVICE>_*`` (its database first). See docs/adr/0004-settings.md.
"""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Literal, Self

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Mode(enum.StrEnum):
    EMBEDDED = "embedded"
    DISTRIBUTED = "distributed"


class PlatformSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MARELLE_", extra="ignore")

    mode: Mode = Mode.EMBEDDED
    data_dir: Path = Path("var")
    kafka_bootstrap_servers: str | None = None
    kafka_partitions: int = 4
    kafka_topic_prefix: str = ""
    # Prefix of every Redis key (login counters, rate limits, sessions): several deployments,
    # or test runs, can share one Redis without seeing each other's counters.
    redis_key_prefix: str = "marelle:"
    redis_url: str | None = None
    jwks_url: str | None = None
    token_issuer: str = "marelle"  # noqa: S105 - a name, not a secret
    token_audience: str = "marelle"  # noqa: S105 - a name, not a secret
    log_level: str = "INFO"
    # Each service's Celery queue is "<prefix><service>" (distributed mode's job runner).
    job_queue_prefix: str = "marelle-"

    @model_validator(mode="after")
    def _distributed_needs_servers(self) -> Self:
        if self.mode is Mode.DISTRIBUTED:
            missing = [
                name
                for name, value in (
                    ("MARELLE_KAFKA_BOOTSTRAP_SERVERS", self.kafka_bootstrap_servers),
                    ("MARELLE_REDIS_URL", self.redis_url),
                )
                if not value
            ]
            if missing:
                raise ValueError(f"distributed mode needs {', '.join(missing)}")
        return self


class ServiceSettings(BaseSettings):
    """Base of each service's settings; subclasses set ``env_prefix`` to ``MARELLE_<NAME>_``."""

    model_config = SettingsConfigDict(extra="ignore")

    platform: PlatformSettings = Field(default_factory=PlatformSettings)
    database_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    relay_poll_interval: float = 0.5
    consumer_max_attempts: int = 5
    # Where the service's background jobs run: "inprocess" (asyncio tasks of the worker role,
    # the embedded mode's default) or "celery" (Celery workers and beat, the distributed
    # mode's default). See marelle_kit.jobs.
    job_runner: Literal["inprocess", "celery"] | None = None

    @property
    def resolved_job_runner(self) -> Literal["inprocess", "celery"]:
        if self.job_runner is not None:
            return self.job_runner
        return "celery" if self.platform.mode is Mode.DISTRIBUTED else "inprocess"

    def resolved_database_url(self, service: str) -> str:
        if self.database_url:
            return self.database_url
        if self.platform.mode is Mode.DISTRIBUTED:
            raise ValueError(f"distributed mode needs MARELLE_{service.upper()}_DATABASE_URL")
        self.platform.data_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{(self.platform.data_dir / f'{service}.sqlite3').resolve()}"
