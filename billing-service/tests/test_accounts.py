"""Billing accounts open from the family-service's household facts, once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from uuid import uuid4

import pytest

from marelle_billing.service import definition
from marelle_contracts import HouseholdCreated, HouseholdErased, QuotientChanged, TenantCreated
from marelle_testkit.databases import sqlite_url
from marelle_testkit.plugin import ServiceUnderTest, service_under_test
from marelle_testkit.tokens import TokenFactory


@pytest.fixture
async def billing(tmp_path: Path, tokens: TokenFactory) -> AsyncIterator[ServiceUnderTest]:
    async with service_under_test(definition, sqlite_url(tmp_path, "billing"), tokens) as svc:
        yield svc


async def test_a_household_fact_opens_one_account_visible_to_its_tenant_only(
    billing: ServiceUnderTest, tokens: TokenFactory
) -> None:
    tenant_id, household_id = uuid4(), uuid4()
    created = HouseholdCreated(
        household_id=household_id, family_number="000007", name="Famille Roy"
    )
    # Two facts with the same content (as after a replay): the account is opened once.
    await billing.deliver(created, tenant_id=tenant_id, key=household_id)
    await billing.deliver(created, tenant_id=tenant_id, key=household_id)

    agent = tokens.headers(roles=["agent"], tenant_id=tenant_id)
    accounts = (await billing.client.get("/accounts", headers=agent)).json()
    assert [(a["id"], a["family_number"], a["balance_cents"]) for a in accounts] == [
        (str(household_id), "000007", 0)
    ]
    stranger = tokens.headers(roles=["agent"], tenant_id=uuid4())
    assert (
        await billing.client.get(f"/accounts/{household_id}", headers=stranger)
    ).status_code == 404
    parent = tokens.headers(roles=["parent"], tenant_id=tenant_id, household_id=household_id)
    assert (
        await billing.client.get(f"/accounts/{household_id}", headers=parent)
    ).status_code == 200


async def test_the_tenant_read_model_follows_the_family_service(
    billing: ServiceUnderTest, tokens: TokenFactory
) -> None:
    tenant_id = uuid4()
    agent = tokens.headers(roles=["agent"], tenant_id=tenant_id)
    assert (await billing.client.get("/tenant", headers=agent)).status_code == 404
    await billing.deliver(
        TenantCreated(tenant_id=tenant_id, slug="albi", name="Mairie d'Albi"),
        tenant_id=tenant_id,
        key=tenant_id,
    )
    known = (await billing.client.get("/tenant", headers=agent)).json()
    assert known == {"id": str(tenant_id), "slug": "albi", "name": "Mairie d'Albi"}


async def test_the_quotient_follows_the_family_service_and_an_erasure_removes_the_names(
    billing: ServiceUnderTest, tokens: TokenFactory
) -> None:
    tenant_id, household_id = uuid4(), uuid4()
    await billing.deliver(
        HouseholdCreated(household_id=household_id, family_number="000009", name="Famille Bon"),
        tenant_id=tenant_id,
        key=household_id,
    )
    await billing.deliver(
        QuotientChanged(
            household_id=household_id,
            quotient=640,
            valid_until=date(2027, 8, 31),
            benefits_scheme="caf",
        ),
        tenant_id=tenant_id,
        key=household_id,
    )
    agent = tokens.headers(roles=["agent"], tenant_id=tenant_id)
    account = (await billing.client.get(f"/accounts/{household_id}", headers=agent)).json()
    assert (account["quotient"], account["quotient_valid_until"]) == (640, "2027-08-31")

    await billing.deliver(
        HouseholdErased(household_id=household_id, family_number="000009"),
        tenant_id=tenant_id,
        key=household_id,
    )
    account = (await billing.client.get(f"/accounts/{household_id}", headers=agent)).json()
    assert (account["name"], account["family_number"], account["quotient"]) == (
        "Foyer effacé",
        "000009",
        None,
    )
