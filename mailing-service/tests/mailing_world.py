"""The mailing-service tests' world: the service on a fresh SQLite database with two known
tenants, and helpers that play the other services (their facts, the auth-service's sealing)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from uuid import UUID, uuid4

import pytest
import sqlalchemy as sa

from marelle_contracts import (
    ChildAdded,
    GuardianAdded,
    HouseholdCreated,
    HouseholdDetailsChanged,
    PasswordResetRequested,
    TenantCreated,
)
from marelle_kit.clock import utcnow
from marelle_kit.sealed import newest_public_key, seal
from marelle_mailing.mails.delivery import Sender, hand_over_due, send_one
from marelle_mailing.models import Mail
from marelle_mailing.service import definition
from marelle_mailing.settings import MailingSettings
from marelle_testkit.databases import postgres_database, sqlite_url
from marelle_testkit.plugin import ServiceUnderTest, service_under_test
from marelle_testkit.tokens import TokenFactory

TENANT = UUID(int=5)
OTHER_TENANT = UUID(int=6)


@asynccontextmanager
async def mailing_on(url: str, tokens: TokenFactory) -> AsyncIterator[ServiceUnderTest]:
    async with service_under_test(definition, url, tokens) as svc:
        for tenant, slug, name in (
            (TENANT, "lavaur", "Mairie de Lavaur"),
            (OTHER_TENANT, "autre", "Mairie d'Ailleurs"),
        ):
            await svc.deliver(
                TenantCreated(tenant_id=tenant, slug=slug, name=name), tenant_id=tenant, key=tenant
            )
        yield svc


@pytest.fixture
async def mailing(
    tmp_path: Path, tokens: TokenFactory, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[ServiceUnderTest]:
    monkeypatch.setenv("MARELLE_DATA_DIR", str(tmp_path / "data"))
    async with mailing_on(sqlite_url(tmp_path, "mailing"), tokens) as svc:
        yield svc


@pytest.fixture
async def mailing_pg(
    tmp_path: Path, tokens: TokenFactory, monkeypatch: pytest.MonkeyPatch, postgres_admin_url: str
) -> AsyncIterator[ServiceUnderTest]:
    """The service on a fresh PostgreSQL database (two-writer tests), bytes in the database."""
    monkeypatch.setenv("MARELLE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("MARELLE_MAILING_FILES_STORE", "database")
    async with (
        postgres_database(postgres_admin_url, "mailing") as url,
        mailing_on(url, tokens) as svc,
    ):
        yield svc


async def seal_for(svc: ServiceUnderTest, **payload: object) -> str:
    """What the auth-service does: seal to the mailing-service's published key."""
    jwks = (await svc.client.get("/.well-known/link-keys.json")).json()
    return seal(newest_public_key(jwks), dict(payload))


async def reset_requested(
    svc: ServiceUnderTest,
    *,
    purpose: str = "first_login",
    token: str = "tok_" + "x" * 40,
    email: str = "anne.roy@exemple.fr",
    tenant: UUID = TENANT,
    account_id: UUID | None = None,
    expires_in: timedelta = timedelta(hours=24),
) -> PasswordResetRequested:
    account = account_id or uuid4()
    expires_at = utcnow() + expires_in
    return PasswordResetRequested(
        account_id=account,
        email=email,
        first_name="Anne",
        purpose=purpose,  # type: ignore[arg-type]
        sealed_token=await seal_for(
            svc,
            token=token,
            tenant_id=str(tenant),
            account_id=str(account),
            purpose=purpose,
            exp=int(expires_at.timestamp()),
        ),
        expires_at=expires_at,
    )


async def mails(svc: ServiceUnderTest) -> list[Mail]:
    async with svc.runtime.database.transaction() as session:
        return list(await session.scalars(sa.select(Mail).order_by(Mail.created_at)))  # type: ignore[arg-type]


async def add_household(
    svc: ServiceUnderTest,
    *,
    tenant: UUID = TENANT,
    name: str = "ALAIN",
    number: str = "000001",
    guardians: tuple[tuple[str, str | None], ...] = (("Paul", "paul.alain@exemple.fr"),),
    children: tuple[tuple[str, str | None, str | None], ...] = (
        ("Théo", "École Jules Ferry", "CE2"),
    ),
    email_authorised: bool = True,
    sms_authorised: bool = False,
) -> UUID:
    """A household as the family-service publishes it: created, guardians, children, details."""
    household_id = uuid4()
    await svc.deliver(
        HouseholdCreated(household_id=household_id, family_number=number, name=name),
        tenant_id=tenant,
        key=household_id,
    )
    for rank, (first_name, email) in enumerate(guardians, start=1):
        await svc.deliver(
            GuardianAdded(
                household_id=household_id,
                guardian_id=uuid4(),
                rank=rank,
                first_name=first_name,
                last_name=name,
                email=email,
            ),
            tenant_id=tenant,
            key=household_id,
        )
    for first_name, school, level in children:
        await svc.deliver(
            ChildAdded(
                household_id=household_id,
                child_id=uuid4(),
                first_name=first_name,
                last_name=name,
                birth_date=utcnow().date() - timedelta(days=3000),
                school=school,
                level=level,
                school_year="2026-2027",
                diet=None,
                pai=False,
            ),
            tenant_id=tenant,
            key=household_id,
        )
    await svc.deliver(
        HouseholdDetailsChanged(
            household_id=household_id,
            groups=["household.authorisations"],
            postcode="81500",
            city="Lavaur",
            email_authorised=email_authorised,
            sms_authorised=sms_authorised,
        ),
        tenant_id=tenant,
        key=household_id,
    )
    return household_id


async def deliver_round(
    svc: ServiceUnderTest, settings: MailingSettings, sender: Sender
) -> list[str]:
    """One delivery round as the jobs run it: hand over what is due, send each."""
    database = svc.runtime.database
    return [
        await send_one(database, settings, mail_id, sender)
        for mail_id in await hand_over_due(database, settings)
    ]
