"""``alembic check`` per service on PostgreSQL: every model change has its migration (and no
migration leaves the schema different from the models)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from marelle_auth.service import definition as auth
from marelle_billing.service import definition as billing
from marelle_booking.service import definition as booking
from marelle_family.service import definition as family
from marelle_kit.runtime import ServiceDefinition
from marelle_mailing.service import definition as mailing
from marelle_testkit.databases import postgres_database
from marelle_testkit.migrations import drift

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    "definition", [auth, family, booking, billing, mailing], ids=lambda d: d.name
)
async def test_the_migrations_build_exactly_the_models(
    definition: ServiceDefinition, postgres_admin_url: str
) -> None:
    async with postgres_database(postgres_admin_url, f"drift_{definition.name}") as url:
        assert await drift(definition, url) is None


async def test_a_model_without_its_migration_is_caught(postgres_admin_url: str) -> None:
    """The check can fail: a table added to the models only."""
    extra = sa.Table("unmigrated", billing.metadata, sa.Column("id", sa.Integer, primary_key=True))
    try:
        async with postgres_database(postgres_admin_url, "drift_probe") as url:
            found = await drift(billing, url)
    finally:
        billing.metadata.remove(extra)
    assert found is not None and "unmigrated" in found
