from pathlib import Path
from typing import Literal

from pydantic_settings import SettingsConfigDict

from marelle_kit.settings import Mode, ServiceSettings


class FamilySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MARELLE_FAMILY_", extra="ignore")

    port: int = 8102
    # Where documents' bytes live: a local directory (embedded mode's default) or the
    # service's database (distributed mode's default, shared by every replica).
    documents_store: Literal["local", "database"] | None = None
    documents_dir: Path | None = None
    documents_max_bytes: int = 5 * 1024 * 1024

    @property
    def resolved_documents_store(self) -> Literal["local", "database"]:
        if self.documents_store is not None:
            return self.documents_store
        return "database" if self.platform.mode is Mode.DISTRIBUTED else "local"

    @property
    def resolved_documents_dir(self) -> Path:
        return self.documents_dir or self.platform.data_dir / "family-documents"
