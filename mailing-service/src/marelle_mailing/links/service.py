"""The key pair the auth-service seals password-link tokens to (issue 9 item 3): made at the
first start, its public half published as a JWKS, its private half never leaving this
database. A token is opened only at delivery time, to write the link into the mail that leaves;
the stored copy of the mail never holds it (docs/adr/0017-sealed-password-links.md)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from uuid import UUID

from joserfc.jwk import ECKey, KeySet

from marelle_kit.clock import utcnow
from marelle_kit.database import Database, WriteSession
from marelle_kit.ids import new_id
from marelle_kit.sealed import SealBroken, new_sealing_key, open_sealed
from marelle_mailing.links.repository import LinkKeyRepository
from marelle_mailing.models import LinkKey


class LinkKeys:
    def __init__(self, session: WriteSession) -> None:
        self.keys = LinkKeyRepository(session)

    async def ensure(self) -> LinkKey:
        existing = await self.keys.all()
        if existing:
            return existing[0]
        kid = new_id()
        private = new_sealing_key(str(kid))
        key = LinkKey(
            id=kid,
            private_jwk=json.dumps(private.as_dict(private=True)),
            public_jwk=json.dumps(private.as_dict(private=False)),
        )
        await self.keys.add(key)
        return key

    async def jwks(self) -> dict[str, Any]:
        return {
            "keys": [
                json.loads(k.public_jwk) for k in await self.keys.all() if k.retired_at is None
            ]
        }

    async def private_set(self) -> KeySet:
        return KeySet([ECKey.import_key(json.loads(k.private_jwk)) for k in await self.keys.all()])

    async def open_token(
        self,
        sealed: str,
        *,
        tenant_id: UUID,
        account_id: UUID,
        purpose: str,
        now: datetime | None = None,
    ) -> str:
        """The token sealed for this tenant's account and purpose; SealBroken otherwise
        (another account's ciphertext pasted into this event, an expired one, garbage)."""
        payload = open_sealed(await self.private_set(), sealed)
        if (
            payload.get("tenant_id") != str(tenant_id)
            or payload.get("account_id") != str(account_id)
            or payload.get("purpose") != purpose
            or not isinstance(payload.get("token"), str)
        ):
            raise SealBroken("the sealed token is not this event's")
        expires = payload.get("exp")
        if not isinstance(expires, int | float) or expires < (now or utcnow()).timestamp():
            raise SealBroken("the sealed token has expired")
        return str(payload["token"])


async def ensure_link_key(database: Database) -> None:
    async with database.transaction() as session:
        await LinkKeys(session).ensure()
