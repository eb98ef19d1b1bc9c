"""Passwords without JavaScript (defect 7): a generated password comes back with the server's
checklist, all ticked; a sentence whose password breaks the rules says so."""

from __future__ import annotations

import re

from page_harness import Pages, csrf_of

from marelle_gateway.clients.auth import Suggestion
from marelle_gateway.clients.base import UpstreamProblem


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


def policy_refusal(detail: str) -> UpstreamProblem:
    """The auth-service's 409 ``password-policy``, with its checklist."""
    rules = [
        {"code": "length", "label": "Au moins 8 caractères", "ok": True},
        {"code": "common", "label": "N'est pas un mot de passe courant", "ok": False},
    ]
    return UpstreamProblem.of(
        "auth",
        409,
        {"type": "urn:marelle:problem:password-policy", "detail": detail, "rules": rules},
    )


async def test_a_password_the_policy_refuses_comes_back_with_its_checklist(pages: Pages) -> None:
    token = await pages.csrf("/mot-de-passe/bon-lien")
    pages.auth.refusals["set_password"] = policy_refusal(
        "Ce mot de passe ne respecte pas les règles : N'est pas un mot de passe courant."
    )
    refused = await pages.client.post(
        "/mot-de-passe/bon-lien",
        data={"csrf_token": token, "password": "Password123!", "confirmation": "Password123!"},
    )
    assert refused.status_code == 422
    assert "ne respecte pas les règles : N&#39;est pas un mot de passe courant." in refused.text
    assert ticked(refused.text) == {"length": True, "common": False}
    assert not pages.auth.calls


async def test_the_change_page_shows_the_policys_refusal_and_a_wrong_current_password(
    pages: Pages,
) -> None:
    await pages.sign_in_parent()
    token = await pages.csrf("/mon-compte/mot-de-passe")
    typed = {
        "csrf_token": token,
        "current_password": "Actuel!2026",
        "password": "Password123!",
        "confirmation": "Password123!",
    }
    pages.auth.refusals["change_password"] = policy_refusal(
        "Ce mot de passe ne respecte pas les règles : N'est pas un mot de passe courant."
    )
    refused = await pages.client.post("/mon-compte/mot-de-passe", data=typed)
    assert refused.status_code == 422
    assert "N&#39;est pas un mot de passe courant." in refused.text
    assert ticked(refused.text)["common"] is False
    pages.auth.refusals["change_password"] = UpstreamProblem(
        "auth",
        403,
        type="urn:marelle:problem:wrong-current-password",
        detail="Le mot de passe actuel saisi n'est pas le bon.",
    )
    wrong = await pages.client.post("/mon-compte/mot-de-passe", data=typed)
    assert wrong.status_code == 403 and "Le mot de passe actuel saisi" in wrong.text
    assert not pages.auth.calls


async def test_a_sentence_left_empty_gets_the_fields_message(pages: Pages) -> None:
    """The auth-service answers the kit's 422 ``validation-error``: its field's message is
    shown, not the problem's generic detail."""
    token = await pages.csrf("/mot-de-passe/bon-lien")
    pages.auth.refusals["suggest"] = UpstreamProblem.of(
        "auth",
        422,
        {
            "type": "urn:marelle:problem:validation-error",
            "detail": "Les données envoyées sont invalides ; corrigez les champs signalés.",
            "errors": [
                {
                    "field": "sentence",
                    "code": "value_error",
                    "message": "Écrivez une phrase dont vous vous souviendrez.",
                }
            ],
        },
    )
    answer = await pages.client.post(
        "/mot-de-passe/bon-lien/proposition",
        data={"csrf_token": token, "method": "sentence", "sentence": ""},
    )
    assert answer.status_code == 422
    assert "Écrivez une phrase dont vous vous souviendrez." in answer.text
    assert "corrigez les champs signalés" not in answer.text
