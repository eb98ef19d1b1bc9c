"""One request = one transaction, committed at the edge (before the response leaves).

Routers built with ``transactional_router()`` open a session per request; endpoints and services
only flush. An endpoint that asks for ``SessionDep`` gets a ``WriteSession``: the commit happens
when it returned a success; any exception or error status rolls everything back, outbox rows
included. After a commit that wrote outbox rows the relay is woken so the events leave at once.

An endpoint that asks only for ``ReadSessionDep`` (and no ``SessionDep``, directly or through
its dependencies) gets a ``ReadSession``: a read-only transaction, never committed.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from marelle_kit.database import ReadSession, WriteSession
from marelle_kit.events.outbox import OUTBOX_WRITTEN


def _write_session(request: Request) -> WriteSession:
    session = getattr(request.state, "session", None)
    if session is None:
        raise RuntimeError("SessionDep used outside a transactional_router()")
    if not isinstance(session, WriteSession):
        raise RuntimeError("this route opened a read session: it cannot also ask for SessionDep")
    return session


def _read_session(request: Request) -> ReadSession:
    session = getattr(request.state, "session", None)
    if session is None:
        raise RuntimeError("ReadSessionDep used outside a transactional_router()")
    assert isinstance(session, ReadSession)
    return session


SessionDep = Annotated[WriteSession, Depends(_write_session)]
ReadSessionDep = Annotated[ReadSession, Depends(_read_session)]


def _calls(dependant: Dependant) -> set[Callable[..., Any]]:
    found: set[Callable[..., Any]] = set()
    for dependency in dependant.dependencies:
        if dependency.call is not None:
            found.add(dependency.call)
        found |= _calls(dependency)
    return found


def reads_only(dependant: Dependant) -> bool:
    """True when the endpoint (or a dependency of it) asks for a read session and nothing asks
    for a write session."""
    calls = _calls(dependant)
    return _read_session in calls and _write_session not in calls


class TransactionalRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()
        read_only = reads_only(self.dependant)

        async def handle_read_only(request: Request) -> Response:
            async with request.app.state.runtime.database.read_sessionmaker() as session:
                request.state.session = session
                return await handle(request)

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

        return handle_read_only if read_only else handle_in_transaction


def transactional_router(**kwargs: Any) -> APIRouter:
    return APIRouter(route_class=TransactionalRoute, **kwargs)
