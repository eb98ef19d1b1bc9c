"""The queries of the OIDC provider: authorization codes and refresh tokens.

``GrantRecords`` serves Authlib's synchronous grants, on the request's session seen from its
synchronous side (docs/adr/0009-oidc-adapter.md); ``RefreshTokenRepository`` the async code."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlmodel import col

from marelle_auth.models import Account, AuthorizationCode, RefreshToken
from marelle_kit.repository import Repository


class GrantRecords:
    def __init__(self, session: Session) -> None:
        self.session = session

    def nonce_used(self, nonce: str) -> bool:
        found = self.session.scalar(
            sa.select(col(AuthorizationCode.id))
            .where(col(AuthorizationCode.nonce) == nonce)
            .limit(1)
        )
        return found is not None

    def code(self, code_hash: str) -> AuthorizationCode | None:
        return self.session.scalar(
            sa.select(AuthorizationCode).where(col(AuthorizationCode.code_hash) == code_hash)
        )

    def refresh_token(self, token_hash: str) -> RefreshToken | None:
        return self.session.scalar(
            sa.select(RefreshToken).where(col(RefreshToken.token_hash) == token_hash)
        )

    def account(self, account_id: UUID) -> Account | None:
        return self.session.get(Account, account_id)

    def add(self, row: AuthorizationCode | RefreshToken) -> None:
        self.session.add(row)
        self.session.flush()

    def revoke_issued_from_code(self, code_id: UUID, now: datetime) -> None:
        self.session.execute(
            sa.update(RefreshToken)
            .where(col(RefreshToken.code_id) == code_id, col(RefreshToken.revoked_at).is_(None))
            .values(revoked_at=now)
        )

    def revoke_family(self, family_id: UUID, now: datetime) -> None:
        self.session.execute(
            sa.update(RefreshToken)
            .where(col(RefreshToken.family_id) == family_id, col(RefreshToken.revoked_at).is_(None))
            .values(revoked_at=now)
        )


class RefreshTokenRepository(Repository[RefreshToken]):
    model = RefreshToken

    async def by_hash(self, token_hash: str) -> RefreshToken | None:
        return await self.get_one_or_none(
            self.unscoped().where(col(RefreshToken.token_hash) == token_hash)
        )

    async def revoke_family(self, family_id: UUID, now: datetime) -> None:
        """Every refresh token of the family (one sign-in session) stops working."""
        await self.writer.execute(
            sa.update(RefreshToken)
            .where(col(RefreshToken.family_id) == family_id, col(RefreshToken.revoked_at).is_(None))
            .values(revoked_at=now)
        )

    async def revoke_account(
        self, account_id: UUID, now: datetime, *, keep_family_of: str | None = None
    ) -> None:
        """Every session of the account ends, but the one holding ``keep_family_of``."""
        query = sa.update(RefreshToken).where(
            col(RefreshToken.account_id) == account_id, col(RefreshToken.revoked_at).is_(None)
        )
        if keep_family_of is not None:
            query = query.where(
                col(RefreshToken.family_id).not_in(
                    sa.select(col(RefreshToken.family_id)).where(
                        col(RefreshToken.token_hash) == keep_family_of
                    )
                )
            )
        await self.writer.execute(query.values(revoked_at=now))
