"""Problem documents, token verification and tenant context, as specifications."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from joserfc.jwk import RSAKey
from pydantic import BaseModel, Field

from marelle_kit.errors import Conflict, Unauthorized, install_problem_handlers
from marelle_kit.request_id import RequestIdMiddleware
from marelle_kit.security import CurrentPrincipal
from marelle_kit.tenancy import TENANT_HEADER, TenantId
from marelle_testkit.tokens import TokenFactory


class Payload(BaseModel):
    name: str = Field(min_length=2, max_length=10)


def make_app(tokens: TokenFactory) -> FastAPI:
    app = FastAPI()
    app.state.token_verifier = tokens.verifier()
    app.add_middleware(RequestIdMiddleware)
    install_problem_handlers(app)

    @app.post("/things")
    async def create(payload: Payload) -> dict[str, str]:
        if payload.name == "taken":
            raise Conflict("Ce nom est déjà pris.")
        return {"name": payload.name}

    @app.get("/me")
    async def me(principal: CurrentPrincipal, tenant_id: TenantId) -> dict[str, str]:
        return {"subject": principal.subject, "tenant": str(tenant_id)}

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("unexpected")

    return app


@pytest.fixture
async def client(tokens: TokenFactory):  # type: ignore[no-untyped-def]
    transport = ASGITransport(app=make_app(tokens), raise_app_exceptions=False)
    async with AsyncClient(transport=transport, base_url="http://svc") as http:
        yield http


async def test_invalid_payload_gets_a_problem_with_field_details_in_french(client) -> None:  # type: ignore[no-untyped-def]
    response = await client.post("/things", json={"name": "x" * 11, "extra": 1})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "urn:marelle:problem:validation-error"
    assert body["errors"] == [
        {"field": "name", "code": "string_too_long", "message": "Ce texte est trop long."}
    ]


async def test_a_typed_error_keeps_its_status_and_stable_type(client) -> None:  # type: ignore[no-untyped-def]
    response = await client.post(
        "/things", json={"name": "taken"}, headers={"x-request-id": "req-12345678"}
    )
    assert response.status_code == 409
    assert response.json()["type"] == "urn:marelle:problem:conflict"
    assert response.json()["detail"] == "Ce nom est déjà pris."
    assert response.json()["request_id"] == "req-12345678"
    assert response.headers["x-request-id"] == "req-12345678"


async def test_an_unexpected_error_is_a_500_problem_without_internals(client) -> None:  # type: ignore[no-untyped-def]
    response = await client.get("/boom")
    assert response.status_code == 500
    assert "unexpected" not in response.text
    assert response.json()["type"] == "urn:marelle:problem:internal-error"


async def test_a_malformed_request_id_is_replaced(client) -> None:  # type: ignore[no-untyped-def]
    response = await client.post("/things", json={}, headers={"x-request-id": "bad id!"})
    assert response.headers["x-request-id"] != "bad id!"
    UUID(response.headers["x-request-id"])


async def test_a_valid_token_binds_the_request_to_its_tenant(client, tokens: TokenFactory) -> None:  # type: ignore[no-untyped-def]
    tenant = uuid4()
    response = await client.get("/me", headers=tokens.headers(tenant_id=tenant, subject="anne"))
    assert response.json() == {"subject": "anne", "tenant": str(tenant)}


async def test_a_token_cannot_act_for_another_tenant_by_header(
    client, tokens: TokenFactory
) -> None:  # type: ignore[no-untyped-def]
    headers = tokens.headers(tenant_id=uuid4(), roles=["agent"])
    response = await client.get("/me", headers={**headers, TENANT_HEADER: str(uuid4())})
    assert response.status_code == 403


async def test_only_an_operator_may_choose_a_tenant_by_header(client, tokens: TokenFactory) -> None:  # type: ignore[no-untyped-def]
    tenant = str(uuid4())
    operator = tokens.headers(roles=["operator"])
    assert (await client.get("/me", headers={**operator, TENANT_HEADER: tenant})).status_code == 200
    parent = tokens.headers(roles=["parent"])
    assert (await client.get("/me", headers={**parent, TENANT_HEADER: tenant})).status_code == 403


@pytest.mark.parametrize(
    "make_token",
    [
        pytest.param(lambda t: t.token(expires_in=-60), id="expired"),
        pytest.param(lambda t: t.token(issuer="someone-else"), id="wrong-issuer"),
        pytest.param(lambda t: t.token(audience="other-app"), id="wrong-audience"),
        pytest.param(
            lambda t: t.token(key=RSAKey.generate_key(2048, parameters={"kid": t.key.kid})),
            id="forged-signature",
        ),
        pytest.param(lambda t: t.token()[:-4] + "AAAA", id="tampered"),
        pytest.param(lambda t: "not.a.jwt", id="garbage"),
    ],
)
async def test_bad_tokens_are_refused_with_401(client, tokens: TokenFactory, make_token) -> None:  # type: ignore[no-untyped-def]
    response = await client.get("/me", headers={"Authorization": f"Bearer {make_token(tokens)}"})
    assert response.status_code == 401
    assert response.json()["type"] == "urn:marelle:problem:unauthorized"


async def test_a_request_without_token_must_log_in(client) -> None:  # type: ignore[no-untyped-def]
    response = await client.get("/me")
    assert response.status_code == 401
    assert Unauthorized.title == response.json()["title"]
