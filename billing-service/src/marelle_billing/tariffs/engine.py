"""The pricing engine: which tariff, which QF, which sibling rank for a cell; still pure.

It works on plain data loaded once (for a quote: one household; for an invoice run: every
household of the run) and caches what repeats, so a run prices a million cells in seconds.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID

from vacances_scolaires_france import SchoolHolidayDates, UnsupportedYearException

from marelle_billing.tariffs.pricing import (
    CellInput,
    CellPrice,
    PricingFacts,
    price_cell,
    sibling_ranks,
)
from marelle_billing.tariffs.rules import TariffRules

DAY_KINDS = ("any", "school", "holiday")


@dataclass(frozen=True, slots=True)
class ActivityInfo:
    id: UUID
    name: str
    site_id: UUID
    billing_mode: str
    billing_unit: str
    fiscal_share: str
    kind: str = "other"


@dataclass(frozen=True, slots=True)
class TariffVersion:
    id: UUID
    activity_id: UUID
    label: str
    valid_from: date
    valid_to: date | None
    day_kind: str
    family_category: str | None
    site_id: UUID | None
    rules: TariffRules

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    @property
    def scope(self) -> tuple[UUID, str, str | None, UUID | None]:
        return (self.activity_id, self.day_kind, self.family_category, self.site_id)

    def overlaps(self, other: TariffVersion) -> bool:
        starts_before_other_ends = other.valid_to is None or self.valid_from <= other.valid_to
        ends_after_other_starts = self.valid_to is None or other.valid_from <= self.valid_to
        return starts_before_other_ends and ends_after_other_starts


@dataclass(frozen=True, slots=True)
class QuotientEntry:
    quotient: int
    valid_until: date | None
    recorded_at: datetime


@dataclass(frozen=True, slots=True)
class HouseholdInfo:
    id: UUID
    category: str | None
    quotients: tuple[QuotientEntry, ...] = ()


@dataclass(frozen=True, slots=True)
class ChildInfo:
    id: UUID
    household_id: UUID
    name: str
    birth_date: date


def quotient_on(entries: Sequence[QuotientEntry], day: date) -> int | None:
    """The QF valid on ``day``: among the quotients whose validity has not ended on that day,
    the one ending first (the most recent fact when two end together); None when none is."""
    best: QuotientEntry | None = None
    for entry in entries:
        if entry.valid_until is not None and entry.valid_until < day:
            continue
        if best is None:
            best = entry
            continue
        mine = entry.valid_until or date.max
        theirs = best.valid_until or date.max
        if mine < theirs or (mine == theirs and entry.recorded_at > best.recorded_at):
            best = entry
    return best.quotient if best is not None else None


@functools.cache
def _holidays() -> SchoolHolidayDates:
    return SchoolHolidayDates()


@functools.lru_cache(maxsize=4096)
def day_kind(day: date, zone: str) -> str:
    """school or holiday (French school holidays of the zone, from the data the package
    ships); a year the data does not cover counts as school days."""
    try:
        return "holiday" if _holidays().is_holiday_for_zone(day, zone) else "school"
    except UnsupportedYearException:
        return "school"


def select_tariff(
    versions: Iterable[TariffVersion],
    day: date,
    kind_of_day: str,
    category: str | None,
    site_id: UUID,
) -> TariffVersion | None:
    """The most specific tariff version covering the day: a tariff for the family's category
    beats one for the kind of day, which beats one for the site, which beats a general one."""
    best: TariffVersion | None = None
    best_score = -1
    for version in versions:
        if not version.covers(day):
            continue
        if version.day_kind != "any" and version.day_kind != kind_of_day:
            continue
        if version.family_category is not None and version.family_category != category:
            continue
        if version.site_id is not None and version.site_id != site_id:
            continue
        score = (
            (4 if version.family_category is not None else 0)
            + (2 if version.day_kind != "any" else 0)
            + (1 if version.site_id is not None else 0)
        )
        if score > best_score:
            best, best_score = version, score
    return best


@dataclass(frozen=True, slots=True)
class PricedCell:
    price: CellPrice
    tariff: TariffVersion | None
    fiscal_share: str
    error: str | None = None


@dataclass
class PricingData:
    zone: str
    activities: dict[UUID, ActivityInfo] = field(default_factory=dict)
    tariffs: dict[UUID, list[TariffVersion]] = field(default_factory=dict)
    households: dict[UUID, HouseholdInfo] = field(default_factory=dict)
    children: dict[UUID, ChildInfo] = field(default_factory=dict)


class Pricer:
    """Prices cells from loaded data; caches tariff choices and household ranks."""

    def __init__(self, data: PricingData) -> None:
        self.data = data
        self._tariff_cache: dict[tuple[UUID, date, str | None], TariffVersion | None] = {}
        self._by_day: dict[tuple[UUID, str | None], dict[date, TariffVersion | None]] = {}
        self._ranks: dict[UUID, dict[UUID, int]] = {}
        self._quotients: dict[tuple[UUID, date], int | None] = {}
        # Cells priced alike (same tariff, same facts) are priced once.
        self._prices: dict[tuple[UUID, CellInput, PricingFacts], CellPrice] = {}
        self.children_by_household: dict[UUID, list[ChildInfo]] = {}
        for child in data.children.values():
            self.children_by_household.setdefault(child.household_id, []).append(child)

    def tariff_for(
        self, activity: ActivityInfo, day: date, category: str | None
    ) -> TariffVersion | None:
        key = (activity.id, day, category)
        if key not in self._tariff_cache:
            self._tariff_cache[key] = select_tariff(
                self.data.tariffs.get(activity.id, ()),
                day,
                day_kind(day, self.data.zone),
                category,
                activity.site_id,
            )
        return self._tariff_cache[key]

    def tariffs_by_day(
        self, activity: ActivityInfo, category: str | None
    ) -> dict[date, TariffVersion | None]:
        """A day -> tariff memo for one activity and family category (filled by the caller
        from ``tariff_for``): a run asks it for every cell."""
        key = (activity.id, category)
        memo = self._by_day.get(key)
        if memo is None:
            memo = self._by_day[key] = {}
        return memo

    def quotient(self, household: HouseholdInfo, day: date) -> int | None:
        key = (household.id, day)
        if key not in self._quotients:
            self._quotients[key] = quotient_on(household.quotients, day)
        return self._quotients[key]

    def household_rank(self, household_id: UUID, child_id: UUID) -> tuple[int, int]:
        ranks = self._ranks.get(household_id)
        if ranks is None:
            ranks = sibling_ranks(
                (child.id, child.birth_date)
                for child in self.children_by_household.get(household_id, ())
            )
            self._ranks[household_id] = ranks
        return ranks.get(child_id, len(ranks) + 1), max(len(ranks), 1)

    def price(
        self,
        household_id: UUID,
        child_id: UUID,
        activity_id: UUID,
        day: date,
        cell: CellInput,
        *,
        register_closed: bool = True,
        same_day_children: Sequence[UUID] | None = None,
    ) -> PricedCell:
        activity = self.data.activities.get(activity_id)
        if activity is None:
            return PricedCell(
                CellPrice((), "activité inconnue"),
                None,
                "childcare",
                "activité inconnue de la facturation",
            )
        household = self.data.households.get(household_id) or HouseholdInfo(household_id, None)
        tariff = self.tariff_for(activity, day, household.category)
        if tariff is None:
            return PricedCell(
                CellPrice((), "aucun tarif"),
                None,
                activity.fiscal_share,
                f"aucun tarif de « {activity.name} » ne couvre le {day:%d/%m/%Y}",
            )
        rules = tariff.rules
        rank, count = 1, 1
        if rules.sibling is not None:
            if rules.sibling.basis == "same_day" and same_day_children is not None:
                births = [
                    (cid, self.data.children[cid].birth_date)
                    for cid in same_day_children
                    if cid in self.data.children
                ]
                ranks = sibling_ranks(births)
                rank, count = ranks.get(child_id, len(ranks) + 1), max(len(ranks), 1)
            else:
                rank, count = self.household_rank(household_id, child_id)
        facts = PricingFacts(
            quotient=self.quotient(household, day),
            billing_unit=activity.billing_unit,
            billing_mode=activity.billing_mode,
            register_closed=register_closed,
            sibling_rank=rank,
            sibling_count=count,
        )
        fiscal_share = rules.fiscal_share or activity.fiscal_share
        key = (tariff.id, cell, facts)
        priced = self._prices.get(key)
        if priced is None:
            priced = self._prices[key] = price_cell(rules, cell, facts)
        return PricedCell(priced, tariff, fiscal_share)
