"""The test town of the booking-service tests: a tenant with its calendar, a site, activities,
families fed through the family-service's events, and a clock the tests set."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any
from uuid import UUID, uuid4

import pytest

from marelle_booking import timing
from marelle_contracts import (
    ChildAdded,
    ContactEntry,
    ContactsChanged,
    HouseholdCreated,
    TenantCreated,
)
from marelle_kit.localtime import local_instant
from marelle_testkit.plugin import ServiceUnderTest

# The demo's "today": Tuesday 1 December 2026, 10:00 in Paris.
DEMO_NOW = local_instant(date(2026, 12, 1), time(10, 0))


class Clock:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.instant = DEMO_NOW
        monkeypatch.setattr(timing, "now", lambda: self.instant)

    def set(self, day: date, at: time) -> None:
        self.instant = local_instant(day, at)

    def set_utc(self, instant: datetime) -> None:
        self.instant = instant.astimezone(UTC)


@dataclass
class Family:
    household_id: UUID
    children: dict[str, UUID]
    headers: dict[str, str]


@dataclass
class Town:
    svc: ServiceUnderTest
    tenant_id: UUID
    admin: dict[str, str]
    agent: dict[str, str]
    animateur: dict[str, str]
    year_id: str = ""
    site_id: str = ""
    activities: dict[str, str] = field(default_factory=dict)
    families: dict[str, Family] = field(default_factory=dict)

    @property
    def client(self) -> Any:
        return self.svc.client

    async def family(
        self,
        name: str,
        children: dict[str, dict[str, Any]],
        *,
        contacts: dict[str, list[ContactEntry]] | None = None,
    ) -> Family:
        household_id = uuid4()
        await self.svc.deliver(
            HouseholdCreated(
                household_id=household_id, family_number=f"{len(self.families) + 1:06d}", name=name
            ),
            tenant_id=self.tenant_id,
            key=household_id,
        )
        ids = {}
        for first_name, details in children.items():
            child_id = uuid4()
            await self.svc.deliver(
                ChildAdded(
                    household_id=household_id,
                    child_id=child_id,
                    first_name=first_name,
                    last_name=name.split()[-1],
                    birth_date=details.get("birth_date", date(2018, 5, 4)),
                    school=details.get("school", "École Jules Ferry"),
                    level=details.get("level", "CP"),
                    school_year="2026-2027",
                    diet=details.get("diet"),
                    pai=details.get("pai", False),
                ),
                tenant_id=self.tenant_id,
                key=household_id,
            )
            ids[first_name] = child_id
            contact_list = (contacts or {}).get(first_name)
            if contact_list:
                await self.svc.deliver(
                    ContactsChanged(
                        household_id=household_id, child_id=child_id, contacts=contact_list
                    ),
                    tenant_id=self.tenant_id,
                    key=household_id,
                )
        headers = self.svc.tokens.headers(
            roles=["parent"], tenant_id=self.tenant_id, household_id=household_id
        )
        family = Family(household_id=household_id, children=ids, headers=headers)
        self.families[name] = family
        return family

    async def activity(self, code: str, **overrides: Any) -> str:
        body: dict[str, Any] = {
            "site_id": self.site_id,
            "code": code,
            "name": code.replace("-", " ").title(),
            "kind": "meal",
            "includes_meal": True,
            "fiscal_share": "meal",
            "book_rule": {"form": "days_before", "days": 0, "at": "08:30"},
            "cancel_rule": {"form": "days_before", "days": 0, "at": "08:30"},
        }
        season = overrides.pop("season", {"weekdays": [1, 2, 4, 5], "period": "school"})
        body.update(overrides)
        created = await self.client.post("/activities", json=body, headers=self.admin)
        assert created.status_code == 201, created.text
        activity_id: str = created.json()["id"]
        put = await self.client.put(
            f"/activities/{activity_id}/seasons/{self.year_id}", json=season, headers=self.admin
        )
        assert put.status_code == 200, put.text
        self.activities[code] = activity_id
        return activity_id

    async def enrol(self, family: Family, child: str, code: str, **extra: Any) -> dict[str, Any]:
        response = await self.client.post(
            "/enrolments",
            json={
                "household_id": str(family.household_id),
                "child_id": str(family.children[child]),
                "activity_id": self.activities[code],
                "school_year_id": self.year_id,
                **extra,
            },
            headers=self.agent,
        )
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    async def put_week(
        self, family: Family, changes: list[tuple[str, str, date, str]], **extra: Any
    ) -> Any:
        return await self.client.put(
            f"/households/{family.household_id}/week",
            json={
                "changes": [
                    {
                        "child_id": str(family.children[child]),
                        "activity_id": self.activities[code],
                        "day": day.isoformat(),
                        "action": action,
                    }
                    for child, code, day, action in changes
                ],
                **extra,
            },
            headers=family.headers,
        )


async def make_town(
    svc: ServiceUnderTest, *, slug: str = "villeneuve", zone: str = "A", **policy: Any
) -> Town:
    tenant_id = uuid4()
    await svc.deliver(
        TenantCreated(tenant_id=tenant_id, slug=slug, name=f"Mairie de {slug.title()}"),
        tenant_id=tenant_id,
        key=tenant_id,
    )
    tokens = svc.tokens
    town = Town(
        svc=svc,
        tenant_id=tenant_id,
        admin=tokens.headers(roles=["admin"], tenant_id=tenant_id),
        agent=tokens.headers(roles=["agent"], tenant_id=tenant_id),
        animateur=tokens.headers(roles=["animateur"], tenant_id=tenant_id),
    )
    settings = await svc.client.put("/settings", json={"zone": zone, **policy}, headers=town.admin)
    assert settings.status_code == 200, settings.text
    year = await svc.client.post("/school-years", json={"label": "2026-2027"}, headers=town.admin)
    assert year.status_code == 201, year.text
    town.year_id = year.json()["id"]
    site = await svc.client.post("/sites", json={"name": "École Jules Ferry"}, headers=town.admin)
    assert site.status_code == 201, site.text
    town.site_id = site.json()["id"]
    return town
