from __future__ import annotations

import builtins
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlmodel import col

from marelle_family.households.schemas import GuardianName, HouseholdListing, HouseholdSummary
from marelle_family.models import Child, Guardian, Household
from marelle_kit.repository import Repository

SEARCH_MAX_LENGTH = 100


@dataclass(frozen=True)
class HouseholdFilters:
    """What the back office searches households by. Every given criterion must hold.

    ``q`` is split on spaces and each word must match the household's name or family number,
    a guardian's last name or e-mail, or a child's first or last name (case-insensitive, accents
    as typed). ``school`` is matched against the children's schools the same way. ``ids``
    restricts the result to these households (the back office names a page of requests' ones).
    """

    ids: tuple[UUID, ...] = ()
    q: str | None = None
    school: str | None = None
    not_validated: bool = False
    quotient_expired: bool = False
    missing_email: bool = False

    @property
    def needs_attention(self) -> bool:
        return self.not_validated or self.quotient_expired or self.missing_email


def _words(text: str | None) -> list[str]:
    """The lowered words of a search text, in the NFC form the records are stored in."""
    if not text:
        return []
    return unicodedata.normalize("NFC", text).lower().split()


def _contains(column: Mapped[Any], word: str) -> sa.ColumnElement[bool]:
    """Portable case-insensitive substring match (LIKE with %, _ and \\ escaped).

    SQLite's lower() only folds ASCII letters: "Éluard" stays "Éluard" there while PostgreSQL
    gives "éluard". For a word with accented letters, the stored text is therefore also
    compared with the word whose non-ASCII letters are capitals ("Éluard", "ÉCOLE" folded to
    "École"), which finds the usual capitalised and upper-case spellings on both databases.
    """
    lowered = sa.func.lower(column)
    upper_accents = "".join(c.upper() if not c.isascii() else c for c in word)
    if upper_accents == word:
        return lowered.contains(word, autoescape=True)
    return sa.or_(
        lowered.contains(word, autoescape=True),
        lowered.contains(upper_accents, autoescape=True),
    )


def _guardians_where(*conditions: sa.ColumnElement[bool]) -> sa.Exists:
    return sa.exists().where(
        col(Guardian.household_id) == col(Household.id),
        col(Guardian.tenant_id) == col(Household.tenant_id),
        *conditions,
    )


def _children_where(*conditions: sa.ColumnElement[bool]) -> sa.Exists:
    return sa.exists().where(
        col(Child.household_id) == col(Household.id),
        col(Child.tenant_id) == col(Household.tenant_id),
        *conditions,
    )


def _word_matches(word: str) -> sa.ColumnElement[bool]:
    return sa.or_(
        _contains(col(Household.name), word),
        _contains(col(Household.family_number), word),
        _guardians_where(
            sa.or_(_contains(col(Guardian.last_name), word), _contains(col(Guardian.email), word))
        ),
        _children_where(
            sa.or_(_contains(col(Child.first_name), word), _contains(col(Child.last_name), word))
        ),
    )


def _conditions(filters: HouseholdFilters, today: date) -> list[sa.ColumnElement[bool]]:
    conditions = [_word_matches(word) for word in _words(filters.q)]
    if filters.ids:
        conditions.append(col(Household.id).in_(filters.ids))
    school = " ".join(_words(filters.school))
    if school:
        conditions.append(_children_where(_contains(col(Child.school), school)))
    if filters.needs_attention:
        # An erased household only keeps its family number: nothing left to follow up.
        conditions.append(col(Household.erased_at).is_(None))
    if filters.not_validated:
        conditions.append(_children_where(col(Child.validated_at).is_(None)))
    if filters.quotient_expired:
        # No QF, no validity date, or a validity date already past.
        conditions.append(
            sa.or_(
                col(Household.quotient).is_(None),
                col(Household.quotient_valid_until).is_(None),
                col(Household.quotient_valid_until) < today,
            )
        )
    if filters.missing_email:
        conditions.append(sa.not_(_guardians_where(col(Guardian.email).is_not(None))))
    return conditions


class HouseholdRepository(Repository[Household]):
    """Always scoped by tenant: an id from another tenant is simply not found."""

    model = Household

    async def search(
        self,
        tenant_id: UUID,
        filters: HouseholdFilters,
        *,
        today: date,
        limit: int,
        offset: int,
    ) -> builtins.list[HouseholdListing]:
        """The tenant's households matching ``filters``, by name, with guardians and the
        number of children (three queries whatever the page size)."""
        households = await self.window(
            self.scoped(tenant_id)
            .where(*_conditions(filters, today))
            .order_by(col(Household.name), col(Household.family_number)),
            limit=limit,
            offset=offset,
        )
        ids = [household.id for household in households]
        guardians: dict[UUID, list[GuardianName]] = defaultdict(list)
        counts: dict[UUID, int] = {}
        if ids:
            for guardian in await self.session.scalars(
                sa.select(Guardian)
                .where(col(Guardian.tenant_id) == tenant_id, col(Guardian.household_id).in_(ids))
                .order_by(col(Guardian.rank))
            ):
                guardians[guardian.household_id].append(
                    GuardianName(
                        rank=guardian.rank,
                        first_name=guardian.first_name,
                        last_name=guardian.last_name,
                    )
                )
            rows = await self.session.execute(
                sa.select(col(Child.household_id), sa.func.count())
                .where(col(Child.tenant_id) == tenant_id, col(Child.household_id).in_(ids))
                .group_by(col(Child.household_id))
            )
            counts = {household_id: int(count) for household_id, count in rows}
        return [
            HouseholdListing(
                **HouseholdSummary.model_validate(household).model_dump(),
                guardians=guardians[household.id],
                children_count=counts.get(household.id, 0),
            )
            for household in households
        ]

    async def past_retention(self, tenant_id: UUID, cutoff: datetime) -> builtins.list[Household]:
        """Households whose record, people and children are all untouched since ``cutoff``
        (and not erased yet), oldest first."""
        recent_guardian = sa.exists().where(
            col(Guardian.household_id) == col(Household.id), col(Guardian.modified_at) >= cutoff
        )
        recent_child = sa.exists().where(
            col(Child.household_id) == col(Household.id), col(Child.modified_at) >= cutoff
        )
        return await self.all(
            self.scoped(tenant_id)
            .where(
                col(Household.erased_at).is_(None),
                col(Household.modified_at) < cutoff,
                ~sa.or_(recent_guardian, recent_child),
            )
            .order_by(col(Household.modified_at))
        )
