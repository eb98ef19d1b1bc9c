"""French dates and Paris times on every page (defect 2): ``01/12/2026``, ``14 h 30``; an
instant just after midnight in Paris is shown on its Paris day, never a day off."""

from __future__ import annotations

from uuid import uuid4

from page_harness import NIGHT, Pages

from marelle_gateway.clients.family import ChangeRequest
from marelle_gateway.clients.mailing import Mail
from marelle_kit.roles import MANAGER

PARIS_NIGHT = "01/12/2026 à 0\u00a0h\u00a030"


def request_at_night(pages: Pages) -> ChangeRequest:
    h = pages.family.record
    request = ChangeRequest(
        id=uuid4(),
        household_id=h.id,
        target="child",
        target_id=h.children[0].id,
        field_group="child.schooling",
        changes={"school": "École Pasteur"},
        status="refused",
        reason="Pièce manquante.",
        created_at=NIGHT,
        decided_at=NIGHT,
        label="Scolarité",
    )
    pages.family.requests.append(request)
    return request


async def test_the_portal_shows_paris_days(pages: Pages) -> None:
    await pages.sign_in_parent()
    request_at_night(pages)
    page = await pages.client.get("/mes-demandes")
    assert "01/12/2026" in page.text
    assert "2026-11-30" not in page.text and "30/11/2026" not in page.text


async def test_the_back_office_shows_paris_times(pages: Pages) -> None:
    await pages.sign_in_staff()
    request_at_night(pages)
    h = pages.family.record
    household = await pages.client.get(f"/admin/foyers/{h.id}")
    assert PARIS_NIGHT in household.text
    assert "31/08/2027" in household.text  # the quotient's day
    pages.mailing.sent.append(
        Mail(
            id=uuid4(),
            template="password_link",
            to_address="claire.martin@demo.test",
            subject="Créez votre mot de passe",
            status="sent",
            attempts=1,
            created_at=NIGHT,
            text="Bonjour",
        )
    )
    await pages.sign_in_staff(MANAGER)  # the sent mails are for supervisors (issue 9, item 1)
    request_at_night(pages)
    mails = await pages.client.get("/admin/courriels")
    assert PARIS_NIGHT in mails.text and "2026-11-30" not in mails.text
    assert "Envoyé" in mails.text  # the status in words
