"""tenant profile: article of the name, home-page text, contact details, DPO

Revision ID: c4f1e7a2b9d3
Revises: e4a8c2f61b37
Create Date: 2026-12-01 23:10:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = 'c4f1e7a2b9d3'
down_revision: str | None = 'e4a8c2f61b37'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('tenant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('article', sqlmodel.sql.sqltypes.AutoString(length=3), server_default='', nullable=False))
        batch_op.add_column(sa.Column('home_text', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('contact_address', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True))
        batch_op.add_column(sa.Column('contact_phone', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True))
        batch_op.add_column(sa.Column('contact_email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True))
        batch_op.add_column(sa.Column('contact_hours', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True))
        batch_op.add_column(sa.Column('dpo_contact', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('tenant', schema=None) as batch_op:
        for name in ('dpo_contact', 'contact_hours', 'contact_email', 'contact_phone', 'contact_address', 'home_text', 'article'):
            batch_op.drop_column(name)
