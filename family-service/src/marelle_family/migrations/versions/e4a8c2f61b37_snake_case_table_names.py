"""snake_case, singular table names (conventions): authorised_contact, change_request,
child_record_read, document_blob, household_balance

Revision ID: e4a8c2f61b37
Revises: 9d572efaff05
Create Date: 2026-11-24 09:00:00.000000
"""
from collections.abc import Sequence

from marelle_kit.migrations import rename_table

revision: str = 'e4a8c2f61b37'
down_revision: str | None = '9d572efaff05'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RENAMED = (
    ("authorisedcontact", "authorised_contact"),
    ("changerequest", "change_request"),
    ("childrecordread", "child_record_read"),
    ("documentblob", "document_blob"),
    ("householdbalance", "household_balance"),
)


def upgrade() -> None:
    for old, new in RENAMED:
        rename_table(old, new)


def downgrade() -> None:
    for old, new in reversed(RENAMED):
        rename_table(new, old)
