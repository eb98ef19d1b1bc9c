"""The back office's pages with fake clients: role sets at router level and in the menu,
confirmation pages for what cannot be undone, addresses of other households, the reason of a
refused acceptance, the journal in names and French, the settings of the town."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest
from page_harness import NIGHT, Pages, csrf_of

from marelle_gateway.clients.auth import AccountName, AccountStatus, AuditEntry
from marelle_gateway.clients.base import UpstreamProblem
from marelle_gateway.clients.family import ChangeRequest, Criterion, HouseholdSummary, RecordRead
from marelle_kit.roles import ADMIN, AGENT, MANAGER, READER


def pending_request(pages: Pages, **changes: object) -> ChangeRequest:
    h = pages.family.record
    request = ChangeRequest(
        id=uuid4(),
        household_id=h.id,
        target="guardian",
        target_id=h.guardians[0].id,
        field_group="guardian.email",
        changes=changes or {"email": "claire@exemple.fr"},
        status="pending",
        created_at=NIGHT,
        label="Adresse e-mail (identifiant de connexion)",
    )
    pages.family.requests.append(request)
    return request


@pytest.mark.parametrize(
    ("roles", "shown", "hidden"),
    [
        (
            (AGENT,),
            ["Foyers", "Demandes"],
            ["Courriels envoyés", "Journal de sécurité", "Réglages", "Import"],
        ),
        (
            (MANAGER,),
            ["Courriels envoyés", "Journal de sécurité", "Import", "Données personnelles"],
            ["Réglages"],
        ),
        ((ADMIN,), ["Foyers", "Journal de sécurité", "Réglages"], []),
        ((READER,), ["Foyers", "Mon mot de passe"], ["Demandes", "Journal de sécurité"]),
    ],
)
async def test_the_menu_shows_what_the_roles_open(
    pages: Pages, roles: tuple[str, ...], shown: list[str], hidden: list[str]
) -> None:
    await pages.sign_in_staff(*roles)
    page = await pages.client.get("/admin/foyers")
    assert page.status_code == 200
    menu = page.text.split('<nav class="nav"', 1)[1].split("</nav>", 1)[0]
    for label in shown:
        assert f">{label}</a>" in menu, label
    for label in hidden:
        assert f">{label}</a>" not in menu, label


async def test_routers_refuse_what_the_role_set_does_not_allow(pages: Pages) -> None:
    await pages.sign_in_staff(AGENT)
    for path in (
        "/admin/journal",
        "/admin/reglages",
        "/admin/import",
        "/admin/donnees-personnelles",
    ):
        page = await pages.client.get(path)
        assert page.status_code == 403 and "Accès refusé" in page.text, path
    await pages.sign_in_staff(READER)
    h = pages.family.record
    assert (await pages.client.get(f"/admin/foyers/{h.id}")).status_code == 200
    token = await pages.csrf(f"/admin/foyers/{h.id}/enfants/{h.children[0].id}")
    refused = await pages.client.post(f"/admin/foyers/{h.id}/foyer", data={"csrf_token": token})
    assert refused.status_code == 403 and not pages.family.calls


async def test_a_parent_session_is_refused_by_the_back_office(pages: Pages) -> None:
    await pages.sign_in_parent()
    page = await pages.client.get("/admin/foyers")
    assert page.status_code == 403 and "réservé aux agents" in page.text


async def test_signed_out_staff_are_sent_to_the_back_office_login(pages: Pages) -> None:
    answer = await pages.client.get("/admin/foyers")
    assert answer.status_code == 303 and answer.headers["location"] == "/admin/"
    login = await pages.client.get("/admin")  # served as /admin/, no redirect
    assert login.status_code == 200 and 'action="/admin/connexion"' in login.text


@pytest.mark.parametrize(
    "path",
    [
        "/admin/foyers/not-a-uuid",
        "/admin/foyers/{h}/enfants/123",
        "/admin/foyers/{h}/documents/abc",
        "/admin/courriels/0",
        "/admin/foyers/{h}/export.exe",
    ],
)
async def test_malformed_ids_get_the_french_404_page(pages: Pages, path: str) -> None:
    """Defect 5: never raw JSON."""
    await pages.sign_in_staff(ADMIN)
    page = await pages.client.get(path.format(h=pages.family.record.id))
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "Page introuvable" in page.text


async def test_a_person_of_another_household_is_a_404(pages: Pages) -> None:
    """Defect 5: the household in the address must be the person's."""
    await pages.sign_in_staff(ADMIN)
    h = pages.family.record
    token = await pages.csrf(f"/admin/foyers/{h.id}")
    stranger = uuid4()
    for method, path in (
        ("GET", f"/admin/foyers/{h.id}/responsables/{stranger}/retrait"),
        ("POST", f"/admin/foyers/{h.id}/responsables/{stranger}/retrait"),
        ("POST", f"/admin/foyers/{h.id}/responsables/{stranger}"),
        ("GET", f"/admin/foyers/{h.id}/enfants/{stranger}"),
        ("POST", f"/admin/foyers/{h.id}/enfants/{stranger}/validation"),
        ("GET", f"/admin/foyers/{uuid4()}/enfants/{h.children[0].id}"),
        ("GET", f"/admin/foyers/{h.id}/adultes/{stranger}/retrait"),
    ):
        answer = await pages.client.request(
            method, path, data={"csrf_token": token} if method == "POST" else None
        )
        assert answer.status_code == 404, (method, path)
    assert not [
        c for c in pages.family.calls if c[0] in ("remove_guardian", "validate_child", "edit")
    ]


async def test_removing_a_guardian_first_says_what_will_be_lost(pages: Pages) -> None:
    """Defect 3."""
    await pages.sign_in_staff(AGENT)
    h = pages.family.record
    guardian = h.guardians[0]
    record = await pages.client.get(f"/admin/foyers/{h.id}")
    link = f"/admin/foyers/{h.id}/responsables/{guardian.id}/retrait"
    assert f'href="{link}"' in record.text  # a link to a page, not a button that removes
    confirm = await pages.client.get(link)
    assert "Retirer Claire Martin du foyer Famille Martin ?" in confirm.text
    assert "son accès au Portail Famille (claire.martin@demo.test)" in confirm.text
    assert not [c for c in pages.family.calls if c[0] == "remove_guardian"]
    done = await pages.client.post(link, data={"csrf_token": csrf_of(confirm.text)})
    assert done.status_code == 303
    assert done.headers["location"] == f"/admin/foyers/{h.id}?fait=responsable-retire#responsables"
    assert ("remove_guardian", (h.id, guardian.id)) in pages.family.calls


async def test_an_erasure_starts_from_the_household_page_and_says_what_is_lost(
    pages: Pages,
) -> None:
    """Defects 3 and 13: a family's request is handled from its page, after a confirmation."""
    await pages.sign_in_staff(MANAGER)
    h = pages.family.record
    record = await pages.client.get(f"/admin/foyers/{h.id}")
    assert f'href="/admin/foyers/{h.id}/effacement"' in record.text
    confirm = await pages.client.get(f"/admin/foyers/{h.id}/effacement")
    assert "Effacer le foyer Famille Martin (n° 2026-0007) ?" in confirm.text
    assert "Claire Martin" in confirm.text and "Léo Martin" in confirm.text
    assert not [c for c in pages.family.calls if c[0] == "erase"]
    pages.family.refusals["erase"] = UpstreamProblem(
        "family", 409, detail="Le solde du foyer n'est pas nul (12,50 €) : régularisez-le."
    )
    refused = await pages.client.post(
        f"/admin/foyers/{h.id}/effacement", data={"csrf_token": csrf_of(confirm.text)}
    )
    assert refused.status_code == 409 and "Effacement impossible" in refused.text
    assert "12,50 €" in refused.text
    done = await pages.client.post(
        f"/admin/foyers/{h.id}/effacement", data={"csrf_token": csrf_of(confirm.text)}
    )
    assert done.headers["location"] == "/admin/donnees-personnelles?fait=efface"
    # An agent sees no erasure link (supervisors only).
    await pages.sign_in_staff(AGENT)
    assert "/effacement" not in (await pages.client.get(f"/admin/foyers/{h.id}")).text


async def test_an_acceptance_the_service_refuses_shows_its_reason(pages: Pages) -> None:
    """Defect 6: the family-service refuses (the e-mail is another account's)."""
    await pages.sign_in_staff(AGENT)
    request = pending_request(pages)
    token = await pages.csrf("/admin/demandes")
    pages.family.refusals["accept"] = UpstreamProblem(
        "family",
        409,
        detail="Cette adresse e-mail est déjà celle d'un autre responsable légal de la structure.",
        field="email",
    )
    refused = await pages.client.post(
        f"/admin/demandes/{request.id}/accepter", data={"csrf_token": token}
    )
    assert refused.status_code == 409
    article = refused.text.split(f'id="demande-{request.id}"', 1)[1].split("</article>", 1)[0]
    assert "déjà celle d&#39;un autre responsable légal" in article


async def test_the_journal_shows_names_and_french_labels(pages: Pages) -> None:
    """Defect 8."""
    await pages.sign_in_staff(MANAGER)
    agent_id, admin_id = uuid4(), uuid4()
    pages.auth.accounts = {
        agent_id: AccountName(id=agent_id, first_name="Paul", last_name="Agent", kind="staff"),
        admin_id: AccountName(id=admin_id, first_name="Anne", last_name="Admin", kind="staff"),
    }
    pages.auth.journal_entries = [
        AuditEntry(
            id=uuid4(),
            account_id=agent_id,
            email="agent@demo.test",
            action="account",
            outcome="locked",
            ip="203.0.113.5",
            at=NIGHT,
        ),
        AuditEntry(
            id=uuid4(),
            account_id=agent_id,
            email="agent@demo.test",
            action="account.unlocked",
            outcome="success",
            detail=f"par {admin_id}",
            at=NIGHT,
        ),
        AuditEntry(
            id=uuid4(),
            email="inconnu@demo.test",
            action="password_link.requested",
            outcome="unknown",
            at=NIGHT,
        ),
    ]
    page = await pages.client.get("/admin/journal")
    text = page.text
    assert "Compte bloqué" in text and "Déblocage du compte" in text and "Adresse inconnue" in text
    assert "Paul Agent" in text and "par Anne Admin" in text
    assert str(admin_id) not in text and str(agent_id) not in text
    assert "locked" not in text and "password_link.requested" not in text
    assert "01/12/2026 à 0\u00a0h\u00a030" in text  # Paris time, not UTC (defect 2)


async def test_the_access_log_names_the_reader_the_child_and_the_roles(pages: Pages) -> None:
    """Defect 8."""
    await pages.sign_in_staff(MANAGER)
    reader = uuid4()
    h = pages.family.record
    pages.auth.accounts = {
        reader: AccountName(id=reader, first_name="Paul", last_name="Agent", kind="staff")
    }
    pages.family.reads = [
        RecordRead(
            id=uuid4(),
            household_id=h.id,
            child_id=h.children[0].id,
            reader=str(reader),
            roles="agent,manager",
            read_at=NIGHT,
        )
    ]
    pages.family.expired = [HouseholdSummary(id=h.id, family_number=h.family_number, name=h.name)]
    page = await pages.client.get("/admin/donnees-personnelles")
    text = page.text
    assert "Paul Agent" in text and "Agent, Responsable" in text and "Léo Martin" in text
    assert str(reader) not in text and "agent,manager" not in text
    assert f'href="/admin/foyers/{h.id}/effacement"' in text  # to the confirmation


async def test_the_account_page_shows_the_lock_in_paris_time(pages: Pages) -> None:
    """Defect 2: no «(UTC)» label, no ISO string."""
    await pages.sign_in_staff(AGENT)
    pages.auth.statuses["agent@demo.test"] = AccountStatus(
        id=uuid4(),
        email="agent@demo.test",
        kind="staff",
        active=True,
        has_password=True,
        locked_until=datetime(2026, 7, 14, 12, 5, tzinfo=UTC),
    )
    page = await pages.client.get("/admin/comptes", params={"email": "agent@demo.test"})
    assert "bloqué jusqu'au 14/07/2026 à 14\u00a0h\u00a005" in page.text
    assert "UTC" not in page.text and "2026-07-14" not in page.text


async def test_the_town_sets_its_article_contacts_dpo_and_retention(pages: Pages) -> None:
    """Defects 9, 10, 13."""
    await pages.sign_in_staff(ADMIN)
    page = await pages.client.get("/admin/reglages")
    assert '<option value="la" selected>' in page.text and 'value="3"' in page.text
    form = {
        "csrf_token": csrf_of(page.text),
        "article": "le",
        "home_text": "Bienvenue au SIVU.",
        "contact_address": "2 rue de l'École\n81500 Lavaur",
        "contact_phone": "05 63 00 00 00",
        "contact_email": "sivu@exemple.fr",
        "contact_hours": "Lundi, 9 h – 12 h",
        "dpo_contact": "dpo@exemple.fr",
        "retention_years": "douze",
    }
    wrong = await pages.client.post("/admin/reglages/structure", data=form)
    assert wrong.status_code == 422 and "Un nombre entier est attendu." in wrong.text
    assert 'value="douze"' in wrong.text and not pages.tenants.saved
    saved = await pages.client.post(
        "/admin/reglages/structure", data={**form, "retention_years": "5"}
    )
    assert saved.status_code == 303
    [profile] = pages.tenants.saved
    assert profile.article == "le" and profile.retention_years == 5
    assert profile.contact_address == "2 rue de l'École\n81500 Lavaur"
    shown = await pages.client.get(saved.headers["location"])
    assert "Les réglages sont enregistrés." in shown.text
    assert '<option value="le" selected>' in shown.text


async def test_settings_refused_by_the_service_show_its_reason(pages: Pages) -> None:
    await pages.sign_in_staff(ADMIN)
    token = await pages.csrf("/admin/reglages")
    bad = await pages.client.post(
        "/admin/reglages",
        data={"csrf_token": token, "diets": "sans_porc = Sans porc", "criteria": "juste un mot"},
    )
    assert bad.status_code == 422 and "Ligne 1" in bad.text
    unknown_kind = await pages.client.post(
        "/admin/reglages",
        data={"csrf_token": token, "diets": "sans_porc = Sans porc", "criteria": "a | A | nombre"},
    )
    assert unknown_kind.status_code == 422 and "oui/non, texte ou choix" in unknown_kind.text
    assert not [c for c in pages.family.calls if c[0] == "save_record_rules"]


async def test_a_criterion_value_the_service_refuses_says_why(pages: Pages) -> None:
    """The family-service's 409 ``invalid-criterion``, above the record's criteria."""
    await pages.sign_in_staff(AGENT)
    h = pages.family.record
    pages.family.rules = pages.family.rules.model_copy(
        update={
            "criteria": [
                Criterion(code="residence", label="Résidence", kind="choice", choices=["Lisle"])
            ]
        }
    )
    token = await pages.csrf(f"/admin/foyers/{h.id}")
    pages.family.refusals["edit"] = UpstreamProblem(
        "family",
        409,
        type="urn:marelle:problem:invalid-criterion",
        detail="Valeur refusée pour « Résidence ».",
        field="criteria_values",
    )
    refused = await pages.client.post(
        f"/admin/foyers/{h.id}/criteres", data={"csrf_token": token, "residence": "Ailleurs"}
    )
    assert refused.status_code == 422
    assert "Valeur refusée pour « Résidence »." in refused.text


async def test_an_import_with_refused_rows_lists_them(pages: Pages) -> None:
    """The family-service's 409 ``import-rejected``: nothing imported, the rows and reasons."""
    await pages.sign_in_staff(MANAGER)
    token = await pages.csrf("/admin/import")
    pages.family.refusals["import_households"] = UpstreamProblem.of(
        "family",
        409,
        {
            "type": "urn:marelle:problem:import-rejected",
            "status": 409,
            "detail": "1 ligne(s) refusée(s), 1 anomalie(s) : rien n'a été importé.",
            "rejected": [{"line": 3, "column": "rl1_email", "message": "Adresse invalide."}],
            "households": 2,
            "children": 2,
        },
    )
    refused = await pages.client.post(
        "/admin/import",
        data={"csrf_token": token, "real_run": "oui"},
        files={"file": ("export.csv", b"ref_foyer;nom_foyer\n", "text/csv")},
    )
    assert refused.status_code == 422
    assert "Lignes refusées" in refused.text and "rl1_email" in refused.text
    assert "rien n&#39;a été importé" in refused.text


async def test_an_empty_or_unreadable_import_file_is_said_next_to_the_field(
    pages: Pages,
) -> None:
    """The kit's 422 ``validation-error`` shape: the message is the field's, not the detail."""
    await pages.sign_in_staff(MANAGER)
    token = await pages.csrf("/admin/import")
    pages.family.refusals["import_households"] = UpstreamProblem.of(
        "family",
        422,
        {
            "type": "urn:marelle:problem:validation-error",
            "status": 422,
            "detail": "Les données envoyées sont invalides ; corrigez les champs signalés.",
            "errors": [
                {"field": "file", "code": "file_unreadable", "message": "Le fichier est vide."}
            ],
        },
    )
    refused = await pages.client.post(
        "/admin/import",
        data={"csrf_token": token},
        files={"file": ("vide.csv", b"", "text/csv")},
    )
    assert refused.status_code == 422
    assert 'aria-invalid="true" aria-describedby="file-erreur"' in refused.text
    assert '<p class="field__error" id="file-erreur">Le fichier est vide.</p>' in refused.text
    assert "Fichier : Le fichier est vide." in refused.text  # the summary names the field


async def test_the_household_page_reads_its_four_sources_concurrently(pages: Pages) -> None:
    """One page, one round of upstream calls: the record, the requests, the rules and the
    documents are asked together (they do not wait for each other)."""
    import asyncio

    await pages.sign_in_staff(AGENT)
    started: list[str] = []
    both = asyncio.Event()
    family = pages.family

    def waiting(name: str, call):  # type: ignore[no-untyped-def]
        async def wrapped(*args, **kwargs):  # type: ignore[no-untyped-def]
            started.append(name)
            if len(started) == 4:
                both.set()
            await asyncio.wait_for(both.wait(), timeout=2)  # only if all four are in flight
            return await call(*args, **kwargs)

        return wrapped

    for name in ("household", "requests_of", "record_rules", "documents"):
        setattr(family, name, waiting(name, getattr(family, name)))
    page = await pages.client.get(f"/admin/foyers/{family.record.id}")
    # Called one after the other, the first would wait for the others in vain (a 500 page).
    assert page.status_code == 200
    assert sorted(started) == ["documents", "household", "record_rules", "requests_of"]
