"""signing_key: the table's name in snake case (conventions)

Revision ID: c3f5a7e9b1d2
Revises: 5b713eaedc38
Create Date: 2026-11-24 09:00:00.000000
"""
from collections.abc import Sequence

from marelle_kit.migrations import rename_table

revision: str = 'c3f5a7e9b1d2'
down_revision: str | None = '5b713eaedc38'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    rename_table("signingkey", "signing_key")


def downgrade() -> None:
    rename_table("signing_key", "signingkey")
