"""Published documents: categories, audiences, dates, « J'ai lu », « new » since the last
visit; and the family dashboard's card."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID, uuid4

from test_messaging import PDF, add_desk, admin, agent, parent

from marelle_contracts import ActivityPublished, BookingMade, CellFact
from marelle_contracts.booking import (
    ActivityKind,
    BillingMode,
    BillingUnit,
    CellState,
    ChangeOrigin,
    FiscalShare,
)
from marelle_kit.localtime import local_today
from marelle_testkit.plugin import ServiceUnderTest
from marelle_testkit.tokens import TokenFactory

from mailing_world import OTHER_TENANT, TENANT, add_household

SITE = uuid4()
ACTIVITY = uuid4()


async def publish_activity(
    svc: ServiceUnderTest, activity: UUID = ACTIVITY, site: UUID = SITE
) -> None:
    await svc.deliver(
        ActivityPublished(
            activity_id=activity,
            code="ALSH-MER",
            name="ALSH mercredi",
            kind=ActivityKind.LEISURE_DAY,
            site_id=site,
            site_name="Centre de loisirs Les Tilleuls",
            billing_mode=BillingMode.ON_BOOKING,
            billing_unit=BillingUnit.DAY,
            fiscal_share=FiscalShare.CHILDCARE,
            active=True,
        ),
        tenant_id=TENANT,
        key=activity,
    )


async def book(
    svc: ServiceUnderTest, household: UUID, day: date, activity: UUID = ACTIVITY
) -> None:
    await svc.deliver(
        BookingMade(
            cells=[
                CellFact(
                    cell_id=uuid4(),
                    version=1,
                    household_id=household,
                    child_id=uuid4(),
                    activity_id=activity,
                    day=day,
                    state=CellState.BOOKED,
                    origin=ChangeOrigin.PORTAL,
                )
            ]
        ),
        tenant_id=TENANT,
        key=household,
    )


async def category(svc: ServiceUnderTest, tokens: TokenFactory, name: str) -> str:
    answer = await svc.client.post(
        "/publication-categories", json={"name": name}, headers=agent(tokens)
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


async def publish(
    svc: ServiceUnderTest,
    tokens: TokenFactory,
    category_id: str,
    title: str,
    *,
    audience: str = "all",
    ref: str | None = None,
    published_on: date | None = None,
    expires_on: date | None = None,
    acknowledge: bool = False,
) -> dict[str, object]:
    data = {
        "category_id": category_id,
        "title": title,
        "audience": audience,
        "published_on": (published_on or local_today()).isoformat(),
        "requires_acknowledgement": str(acknowledge).lower(),
    }
    if ref:
        data["audience_ref"] = ref
    if expires_on:
        data["expires_on"] = expires_on.isoformat()
    answer = await svc.client.post(
        "/publications",
        data=data,
        files={"file": (f"{title}.pdf", PDF)},
        headers=agent(tokens),
    )
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


async def test_families_see_what_is_meant_for_them_grouped_with_new_counts(
    mailing: ServiceUnderTest, tokens: TokenFactory
) -> None:
    today = local_today()
    await publish_activity(mailing)
    ferry = await add_household(
        mailing, name="ALAIN", children=(("Théo", "École Jules Ferry", "CE2"),)
    )
    curie = await add_household(
        mailing, name="BRUN", number="000002", children=(("Lou", "École Marie Curie", "CP"),)
    )
    await book(mailing, curie, today + timedelta(days=3))
    menus = await category(mailing, tokens, "Menus")
    rules = await category(mailing, tokens, "Règlements")
    await publish(mailing, tokens, menus, "Menus de décembre")
    await publish(
        mailing, tokens, menus, "Menu Jules Ferry", audience="school", ref="École Jules Ferry"
    )
    programme = await publish(
        mailing, tokens, menus, "Programme ALSH", audience="activity", ref=str(ACTIVITY)
    )
    await publish(mailing, tokens, menus, "Sortie du centre", audience="site", ref=str(SITE))
    rule = await publish(mailing, tokens, rules, "Règlement intérieur", acknowledge=True)
    await publish(
        mailing, tokens, menus, "Menus de janvier", published_on=today + timedelta(days=5)
    )
    await publish(
        mailing,
        tokens,
        menus,
        "Menus d'octobre",
        published_on=today - timedelta(days=60),
        expires_on=today - timedelta(days=1),
    )

    def titles(page: dict[str, object]) -> dict[str, list[str]]:
        return {
            c["name"]: [d["title"] for d in c["documents"]]  # type: ignore[index]
            for c in page["categories"]  # type: ignore[attr-defined]
        }

    a = (
        await mailing.client.get(f"/households/{ferry}/documents", headers=parent(tokens, ferry))
    ).json()
    assert titles(a) == {
        "Menus": ["Menu Jules Ferry", "Menus de décembre"],  # newest first
        "Règlements": ["Règlement intérieur"],
    }
    assert a["new"] == 3 and a["to_acknowledge"] == 1 and a["last_visit_at"] is None
    b = (
        await mailing.client.get(f"/households/{curie}/documents", headers=parent(tokens, curie))
    ).json()
    assert sorted(titles(b)["Menus"]) == ["Menus de décembre", "Programme ALSH", "Sortie du centre"]
    assert [c["new"] for c in b["categories"]] == [3, 1]

    # A visit resets the counters; a document published afterwards is new again.
    assert (
        await mailing.client.post(
            f"/households/{ferry}/documents/visit", headers=parent(tokens, ferry)
        )
    ).status_code == 204
    await publish(mailing, tokens, menus, "Menus de la semaine")
    a = (
        await mailing.client.get(f"/households/{ferry}/documents", headers=parent(tokens, ferry))
    ).json()
    assert a["new"] == 1 and a["last_visit_at"] is not None
    assert [d["title"] for c in a["categories"] for d in c["documents"] if d["new"]] == [
        "Menus de la semaine"
    ]

    # Downloads: only what the household may see.
    ok = await mailing.client.get(
        f"/households/{curie}/documents/{programme['id']}/content", headers=parent(tokens, curie)
    )
    assert ok.status_code == 200 and ok.content == PDF
    assert ok.headers["x-content-type-options"] == "nosniff"
    assert (
        await mailing.client.get(
            f"/households/{ferry}/documents/{programme['id']}/content",
            headers=parent(tokens, ferry),
        )
    ).status_code == 404
    assert (
        await mailing.client.get(
            f"/households/{ferry}/documents/{programme['id']}/content",
            headers=parent(tokens, curie),
        )
    ).status_code == 404

    # « J'ai lu », once.
    for _ in range(2):
        answer = await mailing.client.post(
            f"/households/{ferry}/documents/{rule['id']}/acknowledge", headers=parent(tokens, ferry)
        )
        assert answer.status_code == 200
    assert (
        await mailing.client.post(
            f"/households/{curie}/documents/{programme['id']}/acknowledge",
            headers=parent(tokens, curie),
        )
    ).status_code == 409
    who = (
        await mailing.client.get(
            f"/publications/{rule['id']}/acknowledgements", headers=agent(tokens)
        )
    ).json()
    assert [w["household_name"] for w in who] == ["ALAIN"]
    listing = (await mailing.client.get("/publications", headers=agent(tokens))).json()
    assert listing["total"] == 8
    assert next(p for p in listing["items"] if p["id"] == rule["id"])["acknowledgements"] == 1
    current = (
        await mailing.client.get(
            "/publications", params={"current_only": True}, headers=agent(tokens)
        )
    ).json()
    assert current["total"] == 6

    # Withdrawn: gone for families.
    await mailing.client.post(f"/publications/{rule['id']}/withdraw", headers=agent(tokens))
    a = (
        await mailing.client.get(f"/households/{ferry}/documents", headers=parent(tokens, ferry))
    ).json()
    assert a["to_acknowledge"] == 0 and "Règlements" not in titles(a)


async def test_the_dashboard_card_counts_unread_messages_and_new_documents(
    mailing: ServiceUnderTest, tokens: TokenFactory
) -> None:
    household = await add_household(mailing)
    desk = await add_desk(mailing, tokens, "Service enfance")
    family = parent(tokens, household)
    cid = (
        await mailing.client.post(
            f"/households/{household}/conversations",
            data={"desk_id": desk, "subject": "Question", "body": "Bonjour"},
            headers=family,
        )
    ).json()["id"]
    for text in ("Réponse 1", "Réponse 2"):
        await mailing.client.post(
            f"/conversations/{cid}/messages", data={"body": text}, headers=agent(tokens)
        )
    rules = await category(mailing, tokens, "Règlements")
    await publish(mailing, tokens, rules, "Règlement intérieur", acknowledge=True)
    card = (await mailing.client.get(f"/households/{household}/dashboard", headers=family)).json()
    assert card["unread_messages"] == 2
    assert [(c["subject"], c["unread"]) for c in card["conversations"]] == [("Question", 2)]
    assert card["new_documents"] == 1
    assert [d["title"] for d in card["documents_to_acknowledge"]] == ["Règlement intérieur"]
    # Another household's card is not reachable; staff have no family dashboard.
    other = await add_household(mailing, name="BRUN", number="000002")
    assert (
        await mailing.client.get(
            f"/households/{household}/dashboard", headers=parent(tokens, other)
        )
    ).status_code == 404
    assert (
        await mailing.client.get(f"/households/{household}/dashboard", headers=admin(tokens))
    ).status_code == 404


async def test_bad_publications_are_refused(
    mailing: ServiceUnderTest, tokens: TokenFactory
) -> None:
    menus = await category(mailing, tokens, "Menus")
    base = {"category_id": menus, "title": "Menus", "published_on": local_today().isoformat()}
    cases = [
        ({"audience": "school"}, ("m.pdf", PDF), 422),
        ({"audience": "activity", "audience_ref": "pas-un-id"}, ("m.pdf", PDF), 422),
        ({"expires_on": (local_today() - timedelta(days=1)).isoformat()}, ("m.pdf", PDF), 422),
        ({"audience": "everyone"}, ("m.pdf", PDF), 422),
        ({"category_id": str(uuid4())}, ("m.pdf", PDF), 404),
        ({}, ("m.html", b"<html><script>alert(1)</script>"), 415),
        ({"title": ""}, ("m.pdf", PDF), 422),
    ]
    for fields, file, status in cases:
        answer = await mailing.client.post(
            "/publications", data={**base, **fields}, files={"file": file}, headers=agent(tokens)
        )
        assert answer.status_code == status, (fields, answer.text)
    assert (await mailing.client.get("/publications", headers=agent(tokens))).json()["total"] == 0
    # Another tenant's category cannot be used; parents cannot publish.
    theirs = (
        await mailing.client.post(
            "/publication-categories",
            json={"name": "Menus"},
            headers=agent(tokens, tenant=OTHER_TENANT),
        )
    ).json()["id"]
    answer = await mailing.client.post(
        "/publications",
        data={**base, "category_id": theirs},
        files={"file": ("m.pdf", PDF)},
        headers=agent(tokens),
    )
    assert answer.status_code == 404
    household = await add_household(mailing)
    answer = await mailing.client.post(
        "/publications",
        data=base,
        files={"file": ("m.pdf", PDF)},
        headers=parent(tokens, household),
    )
    assert answer.status_code == 403
    # A category in use is not deleted.
    await publish(mailing, tokens, menus, "Menus")
    assert (
        await mailing.client.delete(f"/publication-categories/{menus}", headers=agent(tokens))
    ).status_code == 409
