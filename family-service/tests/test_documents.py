"""Documents attached to a household or its people: PDF, JPEG or PNG decided from the bytes,
a size limit, served as attachments; only the household's parents and the tenant's staff
reach them; the bytes live in a local directory or in the database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from marelle_family.service import definition
from marelle_testkit.databases import sqlite_url
from marelle_testkit.plugin import ServiceUnderTest, service_under_test
from marelle_testkit.tokens import TokenFactory

from factories import FamilyFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
LIMIT = 2048


@pytest.fixture(params=["local", "database"])
async def family(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    tokens: TokenFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[ServiceUnderTest]:
    monkeypatch.setenv("MARELLE_FAMILY_DOCUMENTS_STORE", request.param)
    monkeypatch.setenv("MARELLE_FAMILY_DOCUMENTS_DIR", str(tmp_path / "documents"))
    monkeypatch.setenv("MARELLE_FAMILY_DOCUMENTS_MAX_BYTES", str(LIMIT))
    async with service_under_test(definition, sqlite_url(tmp_path, "family"), tokens) as svc:
        yield svc


@pytest.fixture
async def setup(factory: FamilyFactory) -> dict[str, Any]:
    tenant_id = await factory.tenant("lisle")
    zoe = {"first_name": "Zoé", "last_name": "Roux", "birth_date": "2019-01-01"}
    roux = await factory.household(tenant_id, "Famille Roux", guardians=[], children=[zoe])
    voisin = await factory.household(tenant_id, "Famille Voisin", guardians=[])
    agent = factory.staff(tenant_id)
    return {
        "tenant_id": tenant_id,
        "household": str(roux.household_id),
        "neighbour_household": str(voisin.household_id),
        "child": str(roux.child_ids[0]),
        "agent": agent,
        "parent": factory.parent(roux),
        "neighbour": factory.parent(voisin),
    }


async def upload(
    family: ServiceUnderTest,
    setup: dict[str, Any],
    data: bytes,
    *,
    headers: dict[str, str] | None = None,
    kind: str = "child",
    person_id: str | None = None,
    name: str = "Certificat d'assurance",
    content_type: str = "application/pdf",
) -> Any:
    return await family.client.post(
        f"/households/{setup['household']}/documents",
        files={"file": ("piece.pdf", data, content_type)},
        data={
            "name": name,
            "person_kind": kind,
            "person_id": person_id or (setup["child"] if kind == "child" else setup["household"]),
        },
        headers=headers or setup["parent"],
    )


async def test_a_parent_attaches_documents_and_reads_them_back(
    family: ServiceUnderTest, setup: dict[str, Any]
) -> None:
    pdf = await upload(family, setup, PDF)
    assert pdf.status_code == 201, pdf.text
    assert pdf.json()["content_type"] == "application/pdf" and not pdf.json()["uploaded_by_staff"]
    png = await upload(
        family, setup, PNG, kind="household", name="Attestation CAF", content_type="application/pdf"
    )
    assert png.json()["content_type"] == "image/png"  # from the bytes, not the client's word

    base = f"/households/{setup['household']}/documents"
    listed = (await family.client.get(base, headers=setup["parent"])).json()
    assert [d["name"] for d in listed] == ["Attestation CAF", "Certificat d'assurance"]
    of_child = await family.client.get(
        base, params={"person_id": setup["child"]}, headers=setup["parent"]
    )
    assert [d["name"] for d in of_child.json()] == ["Certificat d'assurance"]

    content = await family.client.get(f"{base}/{pdf.json()['id']}/content", headers=setup["agent"])
    assert content.content == PDF
    assert content.headers["content-type"] == "application/pdf"
    assert content.headers["x-content-type-options"] == "nosniff"
    disposition = content.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="Certificat d_assurance.pdf"')
    assert "filename*=UTF-8''Certificat%20d%27assurance.pdf" in disposition

    staff = await upload(family, setup, PDF, headers=setup["agent"], name="Fiche signée")
    assert staff.json()["uploaded_by_staff"] is True


@pytest.mark.parametrize(
    ("data", "status"),
    [
        (b"MZ\x90\x00" + b"\x00" * 100, 415),  # a Windows program named .pdf
        (b"<html><script>alert(1)</script></html>", 415),
        (b"", 422),
        (b"%PDF-" + b"0" * LIMIT, 413),
    ],
)
async def test_anything_but_a_small_pdf_jpeg_or_png_is_refused_and_nothing_kept(
    family: ServiceUnderTest, setup: dict[str, Any], data: bytes, status: int
) -> None:
    answer = await upload(family, setup, data)
    assert answer.status_code == status
    assert answer.headers["content-type"].startswith("application/problem+json")
    listed = await family.client.get(
        f"/households/{setup['household']}/documents", headers=setup["parent"]
    )
    assert listed.json() == []


async def test_a_document_cannot_name_someone_of_another_household(
    family: ServiceUnderTest, setup: dict[str, Any]
) -> None:
    answer = await upload(
        family, setup, PDF, kind="household", person_id=setup["neighbour_household"]
    )
    assert answer.status_code == 404
    bad_name = await upload(family, setup, PDF, name="Facture\u202egpj.exe")
    assert bad_name.status_code == 422


async def test_other_households_and_tenants_never_reach_a_document(
    family: ServiceUnderTest, setup: dict[str, Any], tokens: TokenFactory
) -> None:
    document = (await upload(family, setup, PDF)).json()
    base = f"/households/{setup['household']}/documents"
    stranger = tokens.headers(roles=["admin"], tenant_id=UUID(int=42))
    for headers in (setup["neighbour"], stranger):
        assert (await family.client.get(base, headers=headers)).status_code == 404
        content = await family.client.get(f"{base}/{document['id']}/content", headers=headers)
        assert content.status_code == 404
        assert (
            await family.client.delete(f"{base}/{document['id']}", headers=headers)
        ).status_code == 404
        assert (await upload(family, setup, PDF, headers=headers)).status_code == 404
    # Through the neighbour's own household, the id is unknown too.
    crossed = f"/households/{setup['neighbour_household']}/documents/{document['id']}/content"
    assert (await family.client.get(crossed, headers=setup["neighbour"])).status_code == 404


async def test_the_uploader_or_staff_remove_a_document_and_its_bytes(
    family: ServiceUnderTest, setup: dict[str, Any], tmp_path: Path
) -> None:
    by_staff = (await upload(family, setup, PDF, headers=setup["agent"])).json()
    mine = (await upload(family, setup, PNG)).json()
    base = f"/households/{setup['household']}/documents"
    refused = await family.client.delete(f"{base}/{by_staff['id']}", headers=setup["parent"])
    assert refused.status_code == 403
    assert (
        await family.client.delete(f"{base}/{mine['id']}", headers=setup["parent"])
    ).status_code == 204
    assert (
        await family.client.delete(f"{base}/{by_staff['id']}", headers=setup["agent"])
    ).status_code == 204
    assert (await family.client.get(base, headers=setup["agent"])).json() == []
    assert not any(p.is_file() for p in (tmp_path / "documents").rglob("*"))
