"""The security journal (auth-service): logins, links, passwords, locks — with people's names
and French labels, never ids and codes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from marelle_gateway.backoffice.layout import StaffPage
from marelle_gateway.backoffice.navigation import SUPERVISE
from marelle_gateway.clients.auth import AccountName, AuditEntry
from marelle_gateway.state import AuthClientDep
from marelle_gateway.web import catalog
from marelle_gateway.web.deps import StaffUser, require_roles

router = APIRouter(prefix="/journal", dependencies=[require_roles(SUPERVISE)])
LISTED = 200
UUID_IN_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@dataclass(frozen=True)
class JournalLine:
    at: datetime
    action: str
    outcome: str
    tone: str
    person: str
    email: str
    ip: str
    detail: str


def ids_in(entries: list[AuditEntry]) -> list[UUID]:
    found = {e.account_id for e in entries if e.account_id}
    for entry in entries:
        found |= {UUID(m) for m in UUID_IN_TEXT.findall(entry.detail or "")}
    return sorted(found)


def detail_text(detail: str | None, names: dict[UUID, AccountName]) -> str:
    """« par <id> » reads « par Anne Martin »; codes read in French."""
    if not detail:
        return ""

    def person(match: re.Match[str]) -> str:
        account = names.get(UUID(match.group(0)))
        return account.full_name if account else catalog.DELETED_ACCOUNT

    text = UUID_IN_TEXT.sub(person, detail)
    for code, label in catalog.AUDIT_DETAILS.items():
        text = text.replace(code, label)
    return text.replace("by ", catalog.BY)


def journal_lines(entries: list[AuditEntry], names: dict[UUID, AccountName]) -> list[JournalLine]:
    lines = []
    for entry in entries:
        account = names.get(entry.account_id) if entry.account_id else None
        lines.append(
            JournalLine(
                at=entry.at,
                action=catalog.AUDIT_ACTIONS.get(entry.action, entry.action),
                outcome=catalog.AUDIT_OUTCOMES.get(entry.outcome, entry.outcome),
                tone=catalog.AUDIT_TONES.get(entry.outcome, "neutral"),
                person=account.full_name if account else "",
                email=entry.email or "",
                ip=entry.ip or "",
                detail=detail_text(entry.detail, names),
            )
        )
    return lines


@router.get("", name="admin.journal")
async def journal(staff: StaffUser, auth: AuthClientDep, page: StaffPage) -> HTMLResponse:
    entries = await auth.journal(staff, LISTED)
    names = await auth.names(staff, ids_in(entries))
    return page.render("backoffice/journal/journal.html", lines=journal_lines(entries, names))
