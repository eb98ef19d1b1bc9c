"""The named role sets on the records: office staff (admin, manager, agent) read and edit,
readers (lecture seule) read and are refused every change, the other town roles (régie,
animateur) do not reach the families' records."""

from __future__ import annotations

from marelle_kit import roles
from marelle_testkit.plugin import ServiceUnderTest

from factories import LEO, FamilyFactory


async def test_a_reader_reads_records_and_changes_nothing(
    family: ServiceUnderTest, factory: FamilyFactory
) -> None:
    tenant_id = await factory.tenant()
    made = await factory.household(tenant_id, children=[LEO])
    reader = factory.staff(tenant_id, roles.READER)
    base = f"/households/{made.household_id}"

    assert (await family.client.get("/households", headers=reader)).status_code == 200
    record = await family.client.get(base, headers=reader)
    assert record.status_code == 200 and record.json()["children"][0]["first_name"] == "Léo"
    # Its reads are logged like any staff member's.
    log = await family.client.get("/access-log", headers=factory.staff(tenant_id, roles.MANAGER))
    assert [r["roles"] for r in log.json()] == [roles.READER]

    edit = await family.client.patch(base, json={"phone": "0601020304"}, headers=reader)
    assert edit.status_code == 403
    assert edit.json()["type"] == "urn:marelle:problem:read-only-role"
    child = await family.client.patch(
        f"{base}/children/{made.child_ids[0]}", json={"school": "Pasteur"}, headers=reader
    )
    assert child.status_code == 403
    document = await family.client.post(
        f"{base}/documents",
        files={"file": ("a.pdf", b"%PDF-1.4", "application/pdf")},
        data={
            "name": "Attestation",
            "person_kind": "household",
            "person_id": str(made.household_id),
        },
        headers=reader,
    )
    assert document.status_code == 403
    created = await family.client.post("/households", json={"name": "Famille Roy"}, headers=reader)
    assert created.status_code == 403
    after = (await family.client.get(base, headers=factory.staff(tenant_id))).json()
    assert after["phone"] is None and after["children"][0]["school"] is None


async def test_billing_and_roll_call_roles_do_not_reach_the_records(
    family: ServiceUnderTest, factory: FamilyFactory
) -> None:
    tenant_id = await factory.tenant()
    made = await factory.household(tenant_id, children=[LEO])
    for role in (roles.REGIE, roles.ANIMATEUR):
        headers = factory.staff(tenant_id, role)
        assert (await family.client.get("/households", headers=headers)).status_code == 403
        record = await family.client.get(f"/households/{made.household_id}", headers=headers)
        assert record.status_code == 404  # not one of the households this account may see
        edit = await family.client.patch(
            f"/households/{made.household_id}", json={"phone": "0601020304"}, headers=headers
        )
        assert edit.status_code == 404


async def test_office_roles_edit_at_once(family: ServiceUnderTest, factory: FamilyFactory) -> None:
    tenant_id = await factory.tenant()
    made = await factory.household(tenant_id)
    for role, phone in ((roles.ADMIN, "0601020301"), (roles.MANAGER, "0601020302")):
        edit = await family.client.patch(
            f"/households/{made.household_id}",
            json={"phone": phone},
            headers=factory.staff(tenant_id, role),
        )
        assert edit.status_code == 200 and edit.json()["applied"] == ["household.phone"]
