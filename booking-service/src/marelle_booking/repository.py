"""The booking-service's repository base: the kit's, plus tenant-scoped selects of the other
models a module's repository reads (a season with its activity, a group...)."""

from __future__ import annotations

from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.sql import Select

from marelle_kit.repository import Repository

M = TypeVar("M")


class BookingRepository(Repository[M]):
    def scoped_to(self, model: type[Any], tenant_id: Any) -> Select[Any]:
        return sa.select(model).where(model.tenant_id == tenant_id)
