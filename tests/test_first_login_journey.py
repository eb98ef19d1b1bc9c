"""The first-login journey through the gateway, as a guardian lives it, in both modes: the
agent enters the household, the guardian asks for the link, the mail arrives, the link opens,
the password is set; the link then refuses a second use, and an expired link is refused."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from datetime import timedelta
from uuid import UUID

import pytest
import sqlalchemy as sa

from marelle_auth.models import PasswordLink
from marelle_kit.clock import utcnow
from marelle_mailing.models import Mail
from marelle_testkit.tokens import TokenFactory

from whole_system import RunningSystem, SmtpCatcher, csrf_of, login, start_system

LINK = re.compile(r"/mot-de-passe/([A-Za-z0-9_-]{20,})")
GOOD = "Jmlc7vt!Lpm"

MailReader = Callable[[RunningSystem, str], Awaitable[list[str]]]


async def form(system: RunningSystem, path: str) -> str:
    page = await system.client.get(path)
    assert page.status_code == 200, page.text
    return csrf_of(page.text)


async def ask_link(system: RunningSystem, email: str) -> str:
    csrf = await form(system, "/premiere-connexion")
    answer = await system.client.post(
        "/premiere-connexion", data={"email": email, "csrf_token": csrf}
    )
    assert answer.status_code == 200
    assert "Si cette adresse est connue de nos services" in answer.text
    return answer.text


async def wait_for_link(
    system: RunningSystem, read_mails: MailReader, email: str, already: int
) -> str:
    """Ask for the link until the auth-service knows the guardian, then read the mail."""
    for _ in range(100):
        await ask_link(system, email)
        for _ in range(20):
            texts = await read_mails(system, email)
            if len(texts) > already:
                match = LINK.search(texts[-1])
                assert match, texts[-1]
                return match.group(1)
            await asyncio.sleep(0.1)
    raise AssertionError("no mail arrived")


async def journey(system: RunningSystem, tokens: TokenFactory, read_mails: MailReader) -> None:
    tenant = (await system.client.get("/api/family/tenants/by-slug/demo")).json()
    agent = tokens.headers(roles=["agent"], tenant_id=UUID(tenant["id"]))
    created = await system.client.post(
        "/api/family/households",
        json={
            "name": "Famille Lefèvre",
            "guardians": [
                {
                    "rank": 1,
                    "first_name": "Inès",
                    "last_name": "Lefèvre",
                    "email": "ines.lefevre@exemple.fr",
                }
            ],
        },
        headers=agent,
    )
    assert created.status_code == 201, created.text

    token = await wait_for_link(system, read_mails, "ines.lefevre@exemple.fr", already=0)
    mail = (await read_mails(system, "ines.lefevre@exemple.fr"))[-1]
    assert (
        "Créer le mot de passe" in mail
        and "24 heures" in mail
        and "Mairie de Démonstration" in mail
    )

    page = await system.client.get(f"/mot-de-passe/{token}")
    assert page.status_code == 200
    assert "Créer mon mot de passe" in page.text and "ines.lefevre@exemple.fr" in page.text
    csrf = csrf_of(page.text)

    weak = await system.client.post(
        f"/mot-de-passe/{token}",
        data={"password": "Password123!", "confirmation": "Password123!", "csrf_token": csrf},
    )
    assert weak.status_code == 422 and "courant" in weak.text
    assert "ne respecte pas les règles" in weak.text
    assert 'data-rule="length" class="ok"' in weak.text
    assert 'data-rule="common" class="ko"' in weak.text

    suggested = await system.client.post(
        f"/mot-de-passe/{token}/proposition",
        data={
            "method": "sentence",
            "sentence": "Mon fils Léo a 7 ans et mange à la cantine !",
            "csrf_token": csrf,
        },
    )
    assert suggested.status_code == 200 and "MfLa7aemàlc!" in suggested.text
    # No sentence: the auth-service's validation error, its field's message on the page.
    no_sentence = await system.client.post(
        f"/mot-de-passe/{token}/proposition",
        data={"method": "sentence", "sentence": "", "csrf_token": csrf},
    )
    assert no_sentence.status_code == 422
    assert "Écrivez une phrase dont vous vous souviendrez." in no_sentence.text

    no_csrf = await system.client.post(
        f"/mot-de-passe/{token}", data={"password": GOOD, "confirmation": GOOD}
    )
    assert no_csrf.status_code == 400

    saved = await system.client.post(
        f"/mot-de-passe/{token}",
        data={"password": GOOD, "confirmation": GOOD, "csrf_token": csrf},
    )
    assert saved.status_code == 303 and saved.headers["location"] == "/mot-de-passe-enregistre"
    assert (
        "mot de passe est enregistré" in (await system.client.get("/mot-de-passe-enregistre")).text
    )

    # Log in with the new password: the home page greets the guardian and shows the household.
    wrong = await login(system, "ines.lefevre@exemple.fr", "Mauvais!Mot2passe")
    assert wrong.status_code == 401 and "Adresse e-mail ou mot de passe incorrect" in wrong.text
    home = await login(system, "ines.lefevre@exemple.fr", GOOD)
    assert home.status_code == 200, home.text
    assert "Bonjour Inès" in home.text and "Famille Lefèvre" in home.text
    assert created.json()["family_number"] in home.text
    assert "Responsable légal 1 : Inès Lefèvre" in home.text

    # Changing the password from the portal needs the current one; this session stays open.
    change = await system.client.get("/mon-compte/mot-de-passe")
    assert change.status_code == 200 and "Mot de passe actuel" in change.text
    csrf = csrf_of(change.text)
    live = await system.client.post(
        "/mon-compte/mot-de-passe/verification",
        json={"password": "ines2026", "confirmation": "ines2026"},
        headers={"X-CSRF-Token": csrf},
    )
    assert live.status_code == 200
    assert {rule["code"]: rule["ok"] for rule in live.json()["rules"]}["personal"] is False
    newer = "Cantine&Mercredi7"
    refused = await system.client.post(
        "/mon-compte/mot-de-passe",
        data={
            "current_password": "Faux!Mot2passe",
            "password": newer,
            "confirmation": newer,
            "csrf_token": csrf,
        },
    )
    assert refused.status_code == 403 and "mot de passe actuel" in refused.text
    # The policy refuses a common password (the auth-service's 409): the form says which rule.
    common = await system.client.post(
        "/mon-compte/mot-de-passe",
        data={
            "current_password": GOOD,
            "password": "Password123!",
            "confirmation": "Password123!",
            "csrf_token": csrf,
        },
    )
    assert common.status_code == 422 and "ne respecte pas les règles" in common.text
    # The checklist is the service's for this password (not the empty one).
    assert 'data-rule="length" class="ok"' in common.text
    assert 'data-rule="common" class="ko"' in common.text
    changed = await system.client.post(
        "/mon-compte/mot-de-passe",
        data={
            "current_password": GOOD,
            "password": newer,
            "confirmation": newer,
            "csrf_token": csrf,
        },
    )
    assert changed.status_code == 200 and "mot de passe est changé" in changed.text
    home = await system.client.get("/accueil")
    assert home.status_code == 200 and "Bonjour Inès" in home.text

    logout = await system.client.post("/deconnexion", data={"csrf_token": csrf_of(home.text)})
    assert logout.status_code == 303
    assert (await system.client.get("/accueil")).headers.get("location") == "/"
    assert (await login(system, "ines.lefevre@exemple.fr", GOOD)).status_code == 401
    home = await login(system, "ines.lefevre@exemple.fr", newer)
    assert home.status_code == 200 and "Bonjour Inès" in home.text
    await system.client.post("/deconnexion", data={"csrf_token": csrf_of(home.text)})

    again = await system.client.get(f"/mot-de-passe/{token}")
    assert again.status_code == 410 and "Lien déjà utilisé" in again.text
    assert "Demander un nouveau lien" in again.text

    # A forgotten-password link that has expired is refused.
    count = len(await read_mails(system, "ines.lefevre@exemple.fr"))
    reset = await wait_for_link(system, read_mails, "ines.lefevre@exemple.fr", already=count)
    assert "60 minutes" in (await read_mails(system, "ines.lefevre@exemple.fr"))[-1]
    async with system.runtime("auth").database.transaction() as session:
        await session.execute(
            sa.update(PasswordLink).values(expires_at=utcnow() - timedelta(seconds=1))
        )
    expired = await system.client.get(f"/mot-de-passe/{reset}")
    assert expired.status_code == 410 and "Lien expiré" in expired.text

    # An unknown address gets the very same answer, and a tampered link nothing.
    assert "Si cette adresse est connue" in await ask_link(system, "inconnu@exemple.fr")
    assert (await system.client.get(f"/mot-de-passe/{reset[:-2]}zz")).status_code == 410


async def mailbox_mails(system: RunningSystem, email: str) -> list[str]:
    """Embedded mode: the captured mailbox, as the back office reads it."""
    tenant = (await system.client.get("/api/family/tenants/by-slug/demo")).json()
    mailing = system.runtime("mailing")
    async with mailing.database.transaction() as session:
        rows = await session.scalars(
            sa.select(Mail)
            .where(Mail.to_address == email, Mail.tenant_id == UUID(tenant["id"]))  # type: ignore[arg-type]
            .order_by(Mail.created_at)  # type: ignore[arg-type]
        )
        # The captured copy: what the guardian would have received (the stored copy never
        # holds the link, issue 9 item 1).
        return [mail.captured_text or "" for mail in rows if mail.status == "sent"]


async def test_first_login_journey_in_embedded_mode(
    embedded_env: dict[str, str], tokens: TokenFactory
) -> None:
    async with start_system(embedded_env) as system:
        await journey(system, tokens, mailbox_mails)


@pytest.mark.integration
async def test_first_login_journey_in_distributed_mode_with_real_smtp(
    distributed_env: dict[str, str], tokens: TokenFactory, smtp: SmtpCatcher
) -> None:
    async def smtp_mails(_system: RunningSystem, email: str) -> list[str]:
        found = []
        for message in smtp.messages:
            if message["To"] == email:
                body = message.get_body(preferencelist=("plain",))
                assert body is not None
                found.append(str(body.get_content()) + str(message["Subject"]))
        return found

    async with start_system(distributed_env) as system:
        await journey(system, tokens, smtp_mails)
