"""Secret options of payment providers: encrypted with a key the database never holds, or
referenced by environment variable name (``env:NAME``); a database dump shows neither."""

from __future__ import annotations

import json
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from marelle_billing.errors import SecretsUnavailable
from marelle_billing.settings import BillingSettings
from marelle_kit.settings import Mode

ENV_PREFIX = "env:"
_KEY_FILE = "billing-secrets.key"


def secrets_key(settings: BillingSettings) -> bytes | None:
    if settings.secrets_key:
        return settings.secrets_key.encode()
    if settings.platform.mode is Mode.EMBEDDED:
        # One machine, no operator: a key of its own beside the databases, not in them.
        path = Path(settings.platform.data_dir) / _KEY_FILE
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(Fernet.generate_key())
            path.chmod(0o600)
        return path.read_bytes().strip()
    return None


class SecretBox:
    def __init__(self, key: bytes | None) -> None:
        self._fernet = Fernet(key) if key else None

    def seal(self, values: dict[str, str]) -> str:
        """``values`` as stored: env references kept as such, the rest encrypted."""
        stored: dict[str, str] = {}
        for name, value in values.items():
            if value.startswith(ENV_PREFIX):
                stored[name] = value
                continue
            if self._fernet is None:
                raise SecretsUnavailable(
                    "Aucune clé de chiffrement (MARELLE_BILLING_SECRETS_KEY) : donnez les secrets "
                    "sous la forme env:NOM_DE_VARIABLE."
                )
            stored[name] = "fernet:" + self._fernet.encrypt(value.encode()).decode()
        return json.dumps(stored, sort_keys=True)

    def open(self, stored: str) -> dict[str, str]:
        if not stored:
            return {}
        values: dict[str, str] = {}
        for name, value in json.loads(stored).items():
            if value.startswith(ENV_PREFIX):
                variable = value.removeprefix(ENV_PREFIX)
                resolved = os.environ.get(variable)
                if resolved is None:
                    raise SecretsUnavailable(f"La variable d'environnement {variable} est absente.")
                values[name] = resolved
            elif value.startswith("fernet:"):
                if self._fernet is None:
                    raise SecretsUnavailable("La clé de chiffrement des secrets est absente.")
                try:
                    values[name] = self._fernet.decrypt(value.removeprefix("fernet:")).decode()
                except InvalidToken as exc:
                    raise SecretsUnavailable(
                        "Les secrets ne se déchiffrent pas avec la clé actuelle."
                    ) from exc
        return values

    @staticmethod
    def names(stored: str) -> dict[str, str]:
        """Each secret's name and how it is kept ("chiffré" / "env:NAME"), never its value."""
        if not stored:
            return {}
        return {
            name: value if value.startswith(ENV_PREFIX) else "chiffré"
            for name, value in json.loads(stored).items()
        }
