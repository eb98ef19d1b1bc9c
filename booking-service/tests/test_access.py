"""Every endpoint is tenant-scoped and object-checked: a parent reaches only their household,
staff only their tenant, each role set only its work. The table below names a request for
every route of the service (a new route without a row fails the first test), made with the
ids of one household of town A; another household's parent and town B's staff get no 2xx
and nothing is written."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from typing import Any

import pytest
from fastapi.routing import APIRoute

from marelle_booking.service import definition
from marelle_testkit.plugin import ServiceUnderTest

from booking_town import Clock, Family, Town, make_town

THU = date(2026, 12, 3)


@dataclass(frozen=True)
class Call:
    method: str
    path: str  # a template over the ids of town A
    body: Any = None
    # who may call it: "member" (any signed-in account of the tenant, objects checked),
    # "household" (the household's parent or staff), "staff" (a staff role set)
    audience: str = "staff"
    # does the request name town A's objects (so town B's staff must be refused)?
    names_objects: bool = True


CALLS = [
    Call("GET", "/tenant", audience="public", names_objects=False),  # the kit's, anonymous
    Call("GET", "/settings", names_objects=False),
    Call("PUT", "/settings", {"zone": "B"}, names_objects=False),
    Call("GET", "/school-years", audience="member", names_objects=False),
    Call("GET", "/calendar", audience="member", names_objects=False),
    Call("GET", "/closures?first_day=2026-12-01&last_day=2026-12-31", names_objects=False),
    Call(
        "POST",
        "/school-years",
        {
            "label": "2030-2031",
            "first_day": "2030-09-02",
            "classes_end": "2031-07-04",
            "last_day": "2031-08-31",
        },
        names_objects=False,
    ),
    Call(
        "POST",
        "/closures/preview",
        {
            "site_id": "{site}",
            "first_day": "2026-12-10",
            "last_day": "2026-12-10",
            "reason": "strike",
            "label": "Grève",
        },
    ),
    Call(
        "POST",
        "/closures",
        {
            "site_id": "{site}",
            "first_day": "2026-12-10",
            "last_day": "2026-12-10",
            "reason": "strike",
            "label": "Grève",
        },
    ),
    Call("DELETE", "/closures/{closure}"),
    Call("GET", "/sites", names_objects=False),
    Call("GET", "/activities", names_objects=False),
    Call("GET", "/activities/{activity}"),
    Call("GET", "/activities/{activity}/seasons"),
    Call("POST", "/sites", {"name": "Nouveau site"}, names_objects=False),
    Call("PUT", "/sites/{site}", {"name": "Renommé"}),
    Call(
        "POST",
        "/activities",
        {"site_id": "{site}", "code": "autre", "name": "Autre", "kind": "other"},
    ),
    Call(
        "PUT",
        "/activities/{activity}",
        {"site_id": "{site}", "code": "cantine", "name": "Renommée", "kind": "meal"},
    ),
    Call("PUT", "/activities/{activity}/seasons/{year}", {"weekdays": [1], "period": "school"}),
    Call("PUT", "/activities/{activity}/groups", []),
    Call("PUT", "/activities/{activity}/capacity/2026-12-10", {"limit": 3}),
    Call("GET", "/households/{household}/enrolments", audience="household"),
    Call(
        "POST",
        "/households/{household}/enrolments",
        {"child_id": "{child}", "activity_id": "{care}", "school_year_id": "{year}"},
        audience="household",
    ),
    Call("GET", "/enrolments", names_objects=False),
    Call(
        "POST",
        "/enrolments",
        {
            "household_id": "{household}",
            "child_id": "{child}",
            "activity_id": "{care}",
            "school_year_id": "{year}",
        },
    ),
    Call("PATCH", "/enrolments/{enrolment}", {"priority_class": 1}),
    Call("POST", "/enrolments/{enrolment}/decision", {"decision": "refuse"}),
    Call("GET", "/households/{household}/week", audience="household"),
    Call(
        "PUT",
        "/households/{household}/week",
        {
            "changes": [
                {
                    "child_id": "{child}",
                    "activity_id": "{activity}",
                    "day": "2026-12-04",
                    "action": "book",
                }
            ]
        },
        audience="household",
    ),
    Call("GET", "/households/{household}/month", audience="household"),
    Call(
        "POST",
        "/households/{household}/bulk/preview",
        {
            "activity_id": "{activity}",
            "child_ids": ["{child}"],
            "weekdays": [5],
            "first_day": "2026-12-04",
            "last_day": "2026-12-11",
        },
        audience="household",
    ),
    Call(
        "POST",
        "/households/{household}/bulk",
        {
            "activity_id": "{activity}",
            "child_ids": ["{child}"],
            "weekdays": [5],
            "first_day": "2026-12-04",
            "last_day": "2026-12-11",
        },
        audience="household",
    ),
    Call("POST", "/households/{household}/cells/{cell}/decline", audience="household"),
    Call("GET", "/households/{household}/cells/{cell}/history", audience="household"),
    Call(
        "PUT",
        "/staff/households/{household}/week",
        {
            "changes": [
                {
                    "child_id": "{child}",
                    "activity_id": "{activity}",
                    "day": "2026-12-04",
                    "action": "book",
                }
            ],
            "override_deadlines": True,
        },
    ),
    Call("GET", "/requests", names_objects=False),
    Call("POST", "/requests/decisions", {"cell_ids": ["{cell}"], "decision": "refuse"}),
    Call("GET", "/activities/{activity}/days/2026-12-03"),
    Call("GET", "/absence-reasons", audience="member", names_objects=False),
    Call(
        "POST",
        "/households/{household}/absences",
        {
            "child_id": "{child}",
            "first_day": "2026-12-03",
            "last_day": "2026-12-03",
            "reason": "autres",
        },
        audience="household",
    ),
    Call("POST", "/households/{household}/children/{child}/sick-today", audience="household"),
    Call("GET", "/absences/pending", names_objects=False),
    Call("POST", "/absences/validation", {"cell_ids": ["{cell}"], "decision": "reject"}),
    Call("PUT", "/absence-reasons/nouveau", {"label": "Nouveau"}, names_objects=False),
    Call("GET", "/registers/{activity}/2026-12-03"),
    Call(
        "POST",
        "/registers/{activity}/2026-12-03/marks",
        {"marks": [{"cell_id": "{cell}", "mark": "absent"}]},
    ),
    Call("POST", "/registers/{activity}/2026-12-03/unexpected", {"child_id": "{child}"}),
    Call("POST", "/registers/{activity}/2026-12-03/close", {"absent_unmarked": True}),
    Call("POST", "/registers/{activity}/2026-12-03/reopen"),
    Call("GET", "/meal-counts?first_day=2026-12-01&last_day=2026-12-31", names_objects=False),
    Call("GET", "/meal-counts.csv?first_day=2026-12-01&last_day=2026-12-31", names_objects=False),
    Call("GET", "/meal-counts.pdf?first_day=2026-12-01&last_day=2026-12-31", names_objects=False),
    Call(
        "POST",
        "/meal-orders",
        {"first_day": "2026-12-03", "last_day": "2026-12-03"},
        names_objects=False,
    ),
    Call("GET", "/meal-orders?first_day=2026-12-01&last_day=2026-12-31", names_objects=False),
    Call("GET", "/meal-orders/{order}.csv"),
    Call("GET", "/meal-orders/{order}.pdf"),
    Call("GET", "/activities/{activity}/days/2026-12-03/expected"),
    Call("GET", "/activities/{activity}/days/2026-12-03/expected.csv"),
    Call("GET", "/activities/{activity}/days/2026-12-03/expected.pdf"),
    Call("GET", "/households/{household}/calendar-feed", audience="household"),
    Call("POST", "/households/{household}/calendar-feed", audience="household"),
    Call("DELETE", "/households/{household}/calendar-feed", audience="household"),
    Call("GET", "/calendar-feeds/{token}.ics", audience="public"),
]


def test_the_table_covers_every_route() -> None:
    def template(call: Call) -> tuple[str, str]:
        path = call.path.split("?")[0]
        for name, param in (
            ("{site}", "{site_id}"),
            ("{activity}", "{activity_id}"),
            ("{year}", "{school_year_id}"),
            ("{household}", "{household_id}"),
            ("{enrolment}", "{enrolment_id}"),
            ("{cell}", "{cell_id}"),
            ("{child}", "{child_id}"),
            ("{closure}", "{closure_id}"),
            ("{order}", "{order_id}"),
            ("2026-12-03", "{day}"),
            ("2026-12-10", "{day}"),
            ("nouveau", "{code}"),
        ):
            path = path.replace(name, param)
        return call.method, path

    routes = {
        (sorted(route.methods)[0], route.path)
        for router in definition.routers()
        for route in router.routes
        if isinstance(route, APIRoute)
    }
    assert {template(call) for call in CALLS} == routes


@dataclass
class World:
    a: Town
    b: Town
    owner: Family
    neighbour: Family
    ids: dict[str, str]


@pytest.fixture
async def world(booking: ServiceUnderTest, clock: Clock) -> World:
    a = await make_town(booking, slug="alpha")
    b = await make_town(booking, slug="beta")
    activity = await a.activity("cantine")
    care = await a.activity("garderie", kind="morning_care", includes_meal=False)
    await b.activity("cantine")
    owner = await a.family("Famille Martin", {"Léo": {}})
    neighbour = await a.family("Famille Bernard", {"Inès": {}})
    enrolment = await a.enrol(owner, "Léo", "cantine")
    await a.enrol(neighbour, "Inès", "cantine")
    booked = await a.put_week(owner, [("Léo", "cantine", THU, "book")])
    cell = booked.json()["outcomes"][0]["cell_id"]
    closure = await a.client.post(
        "/closures",
        json={"first_day": "2026-12-14", "last_day": "2026-12-14", "reason": "other", "label": "x"},
        headers=a.agent,
    )
    order = await a.client.post(
        "/meal-orders", json={"first_day": "2026-12-03", "last_day": "2026-12-03"}, headers=a.agent
    )
    feed = await a.client.post(
        f"/households/{owner.household_id}/calendar-feed", headers=owner.headers
    )
    token = feed.json()["path"].removeprefix("/calendar-feeds/").removesuffix(".ics")
    clock.set(THU, time(12, 0))  # the registers of the day can be marked
    return World(
        a=a,
        b=b,
        owner=owner,
        neighbour=neighbour,
        ids={
            "site": a.site_id,
            "activity": activity,
            "care": care,
            "year": a.year_id,
            "household": str(owner.household_id),
            "child": str(owner.children["Léo"]),
            "enrolment": enrolment["id"],
            "cell": cell,
            "closure": closure.json()["id"],
            "order": order.json()["id"],
            "token": token,
        },
    )


def _fill(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str):
        for name, id_ in ids.items():
            value = value.replace("{" + name + "}", id_)
        return value
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


async def _call(
    svc: ServiceUnderTest, call: Call, ids: dict[str, str], headers: dict[str, str]
) -> int:
    kwargs: dict[str, Any] = {"headers": headers}
    if call.body is not None:
        kwargs["json"] = _fill(call.body, ids)
    response = await svc.client.request(call.method, _fill(call.path, ids), **kwargs)
    return response.status_code


async def _snapshot(svc: ServiceUnderTest) -> int:
    return len(await svc.published())


async def test_another_household_s_parent_is_refused_everywhere(world: World) -> None:
    svc = world.a.svc
    before = await _snapshot(svc)
    for call in CALLS:
        if call.audience in ("member", "public"):
            continue
        status = await _call(svc, call, world.ids, world.neighbour.headers)
        expected = {404} if call.audience == "household" else {403}
        assert status in expected, f"{call.method} {call.path}: {status}"
    assert await _snapshot(svc) == before


async def test_another_town_s_staff_is_refused_everywhere(world: World) -> None:
    svc = world.a.svc
    before = await _snapshot(svc)
    for call in CALLS:
        if not call.names_objects or call.audience in ("member",):
            continue
        headers = world.b.admin
        if call.audience == "public":
            headers = {"X-Marelle-Tenant": str(world.b.tenant_id)}
        status = await _call(svc, call, world.ids, headers)
        assert status == 404, f"{call.method} {call.path}: {status}"
    assert await _snapshot(svc) == before


async def test_a_token_of_another_tenant_cannot_pick_this_tenant_by_header(world: World) -> None:
    headers = {**world.b.admin, "X-Marelle-Tenant": str(world.a.tenant_id)}
    status = await _call(world.a.svc, Call("GET", "/activities/{activity}"), world.ids, headers)
    assert status == 403


async def test_each_staff_route_requires_its_role_set(world: World) -> None:
    a = world.a
    reader = a.svc.tokens.headers(roles=["reader"], tenant_id=a.tenant_id)
    regie = a.svc.tokens.headers(roles=["regie"], tenant_id=a.tenant_id)
    checks = [
        (Call("PUT", "/settings", {"zone": "A"}), [(a.agent, 403), (reader, 403)]),
        (
            Call(
                "POST",
                "/closures/preview",
                {
                    "first_day": "2026-12-10",
                    "last_day": "2026-12-10",
                    "reason": "strike",
                    "label": "G",
                },
            ),
            [(reader, 403), (a.animateur, 403)],
        ),
        (
            Call("GET", "/registers/{activity}/2026-12-03"),
            [(reader, 403), (regie, 403), (a.animateur, 200)],
        ),
        (Call("GET", "/activities/{activity}/days/2026-12-03"), [(reader, 200), (regie, 403)]),
        (
            Call("GET", "/meal-counts?first_day=2026-12-01&last_day=2026-12-02"),
            [(a.animateur, 403), (a.agent, 200)],
        ),
        (Call("GET", "/households/{household}/week"), [(reader, 200), (a.agent, 200)]),
    ]
    for call, expectations in checks:
        for headers, expected in expectations:
            status = await _call(a.svc, call, world.ids, headers)
            assert status == expected, f"{call.method} {call.path}: {status} != {expected}"


async def test_no_token_no_access(world: World) -> None:
    for call in CALLS:
        if call.audience == "public":
            continue
        status = await _call(
            world.a.svc, call, world.ids, {"X-Marelle-Tenant": str(world.a.tenant_id)}
        )
        assert status == 401, f"{call.method} {call.path}: {status}"
