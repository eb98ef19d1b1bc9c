"""billing_account: the table's name in snake case (conventions)

Revision ID: b7d1e04c2a91
Revises: 53e566f7dd8c
Create Date: 2026-11-24 09:00:00.000000
"""
from collections.abc import Sequence

from marelle_kit.migrations import rename_table

revision: str = 'b7d1e04c2a91'
down_revision: str | None = '53e566f7dd8c'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    rename_table("billingaccount", "billing_account")


def downgrade() -> None:
    rename_table("billing_account", "billingaccount")
