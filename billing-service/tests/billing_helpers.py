"""Test helpers: a tenant with households, children, activities and booking cells, delivered to
the billing-service as the family and booking services would publish them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID, uuid4

from marelle_contracts import (
    ActivityKind,
    ActivityPublished,
    BillingMode,
    BillingUnit,
    BookingMade,
    CellFact,
    CellState,
    ChangeOrigin,
    ChildAdded,
    FiscalShare,
    GuardianAdded,
    HouseholdCreated,
    QuotientChanged,
    RegisterClosed,
    TenantCreated,
)
from marelle_kit import roles
from marelle_testkit.plugin import ServiceUnderTest
from marelle_testkit.tokens import TokenFactory

MEAL_RULES: dict[str, Any] = {
    "pricing": {
        "method": "qf_brackets",
        "brackets": [
            {"min": 0, "max": 500, "unit_price": "3.10"},
            {"min": 501, "max": 800, "unit_price": "3.80"},
            {"min": 801, "max": 1200, "unit_price": "4.50"},
            {"min": 1201, "unit_price": "5.20"},
        ],
        "missing_qf_bracket": 3,
    }
}

NOVEMBER_SCHOOL_DAYS = [
    date(2026, 11, d) for d in (2, 3, 5, 6, 9, 10, 12, 13, 16, 17, 19, 20, 23, 24, 26, 27, 30)
]


@dataclass
class Household:
    id: UUID
    family_number: str
    children: list[UUID] = field(default_factory=list)


@dataclass
class Town:
    billing: ServiceUnderTest
    tokens: TokenFactory
    id: UUID = field(default_factory=uuid4)
    site_id: UUID = field(default_factory=uuid4)
    versions: dict[UUID, int] = field(default_factory=dict)

    @property
    def office(self) -> dict[str, str]:
        return self.tokens.headers(roles=[roles.REGIE], tenant_id=self.id)

    @property
    def admin(self) -> dict[str, str]:
        return self.tokens.headers(roles=[roles.ADMIN], tenant_id=self.id)

    def parent(self, household: Household) -> dict[str, str]:
        return self.tokens.headers(tenant_id=self.id, household_id=household.id)

    async def deliver(self, event: Any, key: UUID) -> None:
        await self.billing.deliver(event, tenant_id=self.id, key=key)

    async def create(self, slug: str = "albi") -> Town:
        await self.deliver(
            TenantCreated(tenant_id=self.id, slug=slug, name="Mairie d'Albi"), self.id
        )
        return self

    async def household(
        self,
        number: str,
        *,
        quotient: int | None = 620,
        valid_until: date | None = date(2027, 8, 31),
        births: tuple[date, ...] = (date(2017, 3, 1),),
        email: str | None = "parent@demo.test",
    ) -> Household:
        household = Household(uuid4(), number)
        await self.deliver(
            HouseholdCreated(
                household_id=household.id, family_number=number, name=f"Famille {number}"
            ),
            household.id,
        )
        await self.deliver(
            GuardianAdded(
                household_id=household.id,
                guardian_id=uuid4(),
                rank=1,
                first_name="Camille",
                last_name=f"Parent{number}",
                email=email,
            ),
            household.id,
        )
        if quotient is not None:
            await self.deliver(
                QuotientChanged(
                    household_id=household.id,
                    quotient=quotient,
                    valid_until=valid_until,
                    benefits_scheme="caf",
                ),
                household.id,
            )
        for index, birth in enumerate(births):
            child_id = uuid4()
            household.children.append(child_id)
            await self.deliver(
                ChildAdded(
                    household_id=household.id,
                    child_id=child_id,
                    first_name=f"Enfant{index + 1}",
                    last_name=f"F{number}",
                    birth_date=birth,
                    school="École Jaurès",
                    level="CE1",
                    school_year="2026-2027",
                    diet=None,
                    pai=False,
                ),
                household.id,
            )
        return household

    async def activity(
        self,
        name: str = "Repas",
        *,
        kind: ActivityKind = ActivityKind.MEAL,
        mode: BillingMode = BillingMode.ON_BOOKING,
        unit: BillingUnit = BillingUnit.DAY,
        share: FiscalShare = FiscalShare.MEAL,
    ) -> UUID:
        activity_id = uuid4()
        await self.deliver(
            ActivityPublished(
                activity_id=activity_id,
                code=name[:10].upper(),
                name=name,
                kind=kind,
                site_id=self.site_id,
                site_name="École Jaurès",
                billing_mode=mode,
                billing_unit=unit,
                fiscal_share=share,
                active=True,
            ),
            activity_id,
        )
        return activity_id

    def cell(
        self,
        household: Household,
        child: UUID,
        activity: UUID,
        day: date,
        state: CellState = CellState.BOOKED,
        *,
        cell_id: UUID | None = None,
        **values: Any,
    ) -> CellFact:
        cell_id = cell_id or uuid4()
        self.versions[cell_id] = self.versions.get(cell_id, 0) + 1
        return CellFact(
            cell_id=cell_id,
            version=self.versions[cell_id],
            household_id=household.id,
            child_id=child,
            activity_id=activity,
            day=day,
            state=state,
            origin=ChangeOrigin.PORTAL,
            **values,
        )

    async def book(
        self, household: Household, activity: UUID, days: list[date], child: UUID | None = None
    ) -> list[CellFact]:
        cells = [
            self.cell(household, c, activity, day)
            for c in ([child] if child else household.children)
            for day in days
        ]
        await self.deliver(BookingMade(cells=cells), household.id)
        return cells

    async def close_register(self, activity: UUID, day: date, cells: list[CellFact]) -> None:
        await self.deliver(
            RegisterClosed(register_id=uuid4(), activity_id=activity, day=day, cells=cells),
            activity,
        )

    async def tariff(
        self, activity: UUID, rules: dict[str, Any] | None = None, **values: Any
    ) -> dict[str, Any]:
        body = {
            "activity_id": str(activity),
            "label": "Tarif 2026-2027",
            "valid_from": "2026-09-01",
            "rules": rules or MEAL_RULES,
            **values,
        }
        response = await self.billing.client.post("/tariffs", json=body, headers=self.office)
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def run(self, **values: Any) -> dict[str, Any]:
        body = {
            "period_start": "2026-11-01",
            "period_end": "2026-11-30",
            "issue_date": "2026-12-01",
            "due_date": "2026-12-20",
            "online_payment_until": "2026-12-20",
            **values,
        }
        response = await self.billing.client.post("/invoice-runs", json=body, headers=self.office)
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def issue(self, run_id: str) -> dict[str, Any]:
        response = await self.billing.client.post(
            f"/invoice-runs/{run_id}/issue", headers=self.office
        )
        assert response.status_code == 200, response.text
        return dict(response.json())

    async def invoices(self, household: Household) -> list[dict[str, Any]]:
        response = await self.billing.client.get(
            "/invoices", params={"household_id": str(household.id)}, headers=self.office
        )
        assert response.status_code == 200, response.text
        return list(response.json())

    async def dummy_provider(self) -> None:
        response = await self.billing.client.put(
            "/settings/providers/invoices", json={"backend": "dummy"}, headers=self.admin
        )
        assert response.status_code == 200, response.text
