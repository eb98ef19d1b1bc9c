"""One request = one transaction, committed at the edge (before the response leaves).

Routers built with ``transactional_router()`` open a session per request; endpoints and services
only flush. The commit happens when the endpoint returned a success; any exception or error
status rolls everything back, outbox rows included. After a commit that wrote outbox rows the
relay is woken so the events leave at once.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.routing import APIRoute
from sqlalchemy.ext.asyncio import AsyncSession

from marelle_kit.events.outbox import OUTBOX_WRITTEN


class TransactionalRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def handle_in_transaction(request: Request) -> Response:
            runtime = request.app.state.runtime
            async with runtime.database.sessionmaker() as session:
                request.state.session = session
                response = await handle(request)
                if response.status_code >= 400:
                    await session.rollback()
                    return response
                await session.commit()
            if session.info.get(OUTBOX_WRITTEN):
                runtime.outbox_committed()
            return response

        return handle_in_transaction


def transactional_router(**kwargs: Any) -> APIRouter:
    return APIRouter(route_class=TransactionalRoute, **kwargs)


def _session(request: Request) -> AsyncSession:
    session = getattr(request.state, "session", None)
    if session is None:
        raise RuntimeError("SessionDep used outside a transactional_router()")
    assert isinstance(session, AsyncSession)
    return session


SessionDep = Annotated[AsyncSession, Depends(_session)]
