"""The parents' portal: one router per area (login, home, records, documents, passwords,
information pages), composed by :func:`routers`. Never imports the back office."""

from __future__ import annotations

from fastapi import APIRouter

from marelle_gateway.portal import documents, home, information, login, passwords, records


def routers() -> list[APIRouter]:
    return [
        login.router,
        home.router,
        records.router,
        documents.router,
        passwords.router,
        information.router,
    ]
