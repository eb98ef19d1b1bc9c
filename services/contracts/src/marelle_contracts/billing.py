"""Facts published by the billing-service."""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from marelle_contracts.base import Event


class BalanceChanged(Event):
    """A household's balance at the billing office; positive = the family owes money."""

    event_type: ClassVar[str] = "billing.balance.changed"

    household_id: UUID
    balance_cents: int
