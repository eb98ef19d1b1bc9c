"""Operators' view of parked events: list them, replay one (applied once, or kept parked)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel

from marelle_kit import roles
from marelle_kit.errors import Conflict, NotFound
from marelle_kit.events.consumer import ReplayFailed
from marelle_kit.runtime import ServiceRuntime
from marelle_kit.security import require_roles


class DeadLetterOut(BaseModel):
    id: UUID
    consumer: str
    event_id: UUID | None
    event_type: str | None
    tenant_id: UUID | None
    error: str
    attempts: int
    parked_at: datetime
    replayed_at: datetime | None


class DeadLetterRepository:
    def __init__(self, runtime: ServiceRuntime) -> None:
        self.runtime = runtime
        self.table = runtime.definition.tables.dead_letter

    async def list(self, *, include_replayed: bool, limit: int) -> list[DeadLetterOut]:
        query = sa.select(self.table).order_by(self.table.c.parked_at.desc()).limit(limit)
        if not include_replayed:
            query = query.where(self.table.c.replayed_at.is_(None))
        async with self.runtime.database.read() as session:
            rows = (await session.execute(query)).mappings().all()
        return [DeadLetterOut.model_validate(dict(row)) for row in rows]


def _runtime(request: Request) -> ServiceRuntime:
    runtime = request.app.state.runtime
    assert isinstance(runtime, ServiceRuntime)
    return runtime


RuntimeDep = Annotated[ServiceRuntime, Depends(_runtime)]

router = APIRouter(
    prefix="/ops/dead-letters",
    tags=["ops"],
    dependencies=[Depends(require_roles(*roles.OPERATORS))],
)


@router.get("", response_model=list[DeadLetterOut])
async def list_dead_letters(
    runtime: RuntimeDep,
    include_replayed: bool = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[DeadLetterOut]:
    return await DeadLetterRepository(runtime).list(include_replayed=include_replayed, limit=limit)


@router.post("/{dead_letter_id}/replay", status_code=204)
async def replay_dead_letter(dead_letter_id: UUID, runtime: RuntimeDep) -> None:
    try:
        await runtime.consumer.replay(dead_letter_id)
    except LookupError as exc:
        raise NotFound("Cet événement parqué n'existe pas ou a déjà été rejoué.") from exc
    except ReplayFailed as exc:
        raise Conflict("Le rejeu a échoué ; l'événement reste parqué.", error=exc.error) from exc
