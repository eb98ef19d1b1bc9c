"""The staff's back office: one router per area, each declaring its role set at router level
(navigation.py holds the sets and the menu). Never imports the portal."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from marelle_gateway.backoffice import (
    account,
    accounts,
    children,
    documents,
    households,
    imports,
    journal,
    login,
    mails,
    people,
    privacy,
    requests,
    settings,
)


def routers() -> list[APIRouter]:
    return [
        login.router,
        account.router,
        households.readers,
        households.editors,
        people.router,
        children.editors,  # before the readers: /enfants/nouveau is no child's id
        children.readers,
        documents.readers,
        documents.editors,
        requests.router,
        mails.router,
        accounts.router,
        journal.router,
        imports.router,
        privacy.router,
        settings.router,
    ]


def entry_router() -> APIRouter:
    """The back office running alone: its root leads to the login page."""
    router = APIRouter(include_in_schema=False)

    @router.get("/")
    async def root(request: Request) -> RedirectResponse:
        return RedirectResponse(request.url_for("admin.login").path, status_code=303)

    return router
