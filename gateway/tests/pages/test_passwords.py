"""Passwords without JavaScript (defect 7): a generated password comes back with the server's
checklist, all ticked; a sentence whose password breaks the rules says so."""

from __future__ import annotations

import re

from page_harness import Pages, csrf_of

from marelle_gateway.clients.auth import Suggestion


def ticked(html: str) -> dict[str, bool]:
    return {
        code: cls == "ok" for code, cls in re.findall(r'data-rule="(\w+)" class="(ok|ko)"', html)
    }


async def test_a_random_password_shows_a_ticked_checklist_without_javascript(pages: Pages) -> None:
    pages.auth.suggestions["random"] = Suggestion(password="Tq7#mWz2kP9!vR4x")
    page = await pages.client.get("/mot-de-passe/bon-lien")
    assert all(not ok for ok in ticked(page.text).values())  # nothing typed yet
    answer = await pages.client.post(
        "/mot-de-passe/bon-lien/proposition",
        data={"csrf_token": csrf_of(page.text), "method": "random"},
    )
    assert answer.status_code == 200
    assert 'id="suggested">Tq7#mWz2kP9!vR4x<' in answer.text
    rules = ticked(answer.text)
    assert rules and all(rules.values()), rules


async def test_a_sentence_that_breaks_the_rules_says_so(pages: Pages) -> None:
    pages.auth.suggestions["sentence"] = Suggestion(
        password="lcdm", derivation=[("le", "l"), ("chat", "c"), ("dort", "d"), ("mieux", "m")]
    )
    token = await pages.csrf("/mot-de-passe/bon-lien")
    answer = await pages.client.post(
        "/mot-de-passe/bon-lien/proposition",
        data={"csrf_token": token, "method": "sentence", "sentence": "le chat dort mieux"},
    )
    assert answer.status_code == 422
    assert "ne respecte pas toutes les règles" in answer.text
    rules = ticked(answer.text)
    assert rules["length"] is False and rules["upper"] is False and rules["lower"] is True


async def test_the_change_page_checks_the_suggestion_too(pages: Pages) -> None:
    await pages.sign_in_parent()
    pages.auth.suggestions["random"] = Suggestion(password="Tq7#mWz2kP9!vR4x")
    token = await pages.csrf("/mon-compte/mot-de-passe")
    answer = await pages.client.post(
        "/mon-compte/mot-de-passe/proposition", data={"csrf_token": token, "method": "random"}
    )
    assert all(ticked(answer.text).values())


async def test_an_expired_link_gets_its_own_page(pages: Pages) -> None:
    page = await pages.client.get("/mot-de-passe/vieux-lien")
    assert page.status_code == 410 and "Lien expiré" in page.text
    assert "Demander un nouveau lien" in page.text
