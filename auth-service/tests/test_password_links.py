"""First login and forgotten password through the auth-service API (SECURITY.md)."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID, uuid4

import sqlalchemy as sa

from marelle_auth.models import Account, PasswordLink
from marelle_auth.passwords.hashing import verify_password
from marelle_contracts import GuardianAdded, GuardianEmailChanged, GuardianRemoved
from marelle_kit.clock import utcnow
from marelle_testkit.plugin import ServiceUnderTest
from marelle_testkit.tokens import TokenFactory

TENANT = UUID(int=7)
HEADERS = {"X-Marelle-Tenant": str(TENANT)}
GOOD = "Jmlc7vt!Lpm"


async def add_guardian(
    auth: ServiceUnderTest, email: str, *, first_name: str = "Anne"
) -> GuardianAdded:
    """The family-service's fact, delivered to the auth-service's consumer."""
    event = GuardianAdded(
        household_id=uuid4(),
        guardian_id=uuid4(),
        rank=1,
        first_name=first_name,
        last_name="Roy",
        email=email,
    )
    await auth.deliver(event, tenant_id=TENANT, key=event.household_id)
    return event


async def ask_link(auth: ServiceUnderTest, email: str, tenant: UUID = TENANT) -> str | None:
    """Ask for a link; returns the token the mail would carry (read from the published event)."""
    before = len(await auth.published())
    response = await auth.client.post(
        "/password/links", json={"email": email}, headers={"X-Marelle-Tenant": str(tenant)}
    )
    assert response.status_code == 202, response.text
    published = (await auth.published())[before:]
    return published[0]["payload"]["token"] if published else None


async def account(auth: ServiceUnderTest, email: str) -> Account:
    async with auth.runtime.database.transaction() as session:
        found = await session.scalar(sa.select(Account).where(Account.email == email))  # type: ignore[arg-type]
        assert found is not None
        return found


async def test_a_guardian_fact_creates_a_login_and_the_first_link_lives_24_hours(
    auth: ServiceUnderTest,
) -> None:
    await add_guardian(auth, "anne.roy@exemple.fr")
    token = await ask_link(auth, "anne.roy@exemple.fr")
    assert token is not None and len(token) >= 43  # 256 random bits
    [event] = [e for e in await auth.published() if e["type"] == "auth.password_reset.requested"]
    assert event["payload"]["purpose"] == "first_login"
    async with auth.runtime.database.transaction() as session:
        link = await session.scalar(sa.select(PasswordLink))
    assert link is not None and link.token_hash != token  # only the hash is kept
    lifetime = link.expires_at - link.created_at
    assert timedelta(hours=23, minutes=59) < lifetime <= timedelta(hours=24)

    info = await auth.client.get(f"/password/links/{token}", headers=HEADERS)
    assert info.json()["purpose"] == "first_login" and info.json()["first_name"] == "Anne"


async def test_the_answer_is_the_same_whether_or_not_the_email_is_known(
    auth: ServiceUnderTest,
) -> None:
    await add_guardian(auth, "known@exemple.fr")
    known = await auth.client.post(
        "/password/links", json={"email": "known@exemple.fr"}, headers=HEADERS
    )
    unknown = await auth.client.post(
        "/password/links", json={"email": "nobody@exemple.fr"}, headers=HEADERS
    )
    assert (known.status_code, known.json()) == (unknown.status_code, unknown.json())


async def test_setting_the_password_uses_the_link_once(auth: ServiceUnderTest) -> None:
    await add_guardian(auth, "b@exemple.fr")
    token = await ask_link(auth, "b@exemple.fr")
    body = {"password": GOOD, "confirmation": GOOD}
    assert (
        await auth.client.post(f"/password/links/{token}/password", json=body, headers=HEADERS)
    ).status_code == 204
    stored = await account(auth, "b@exemple.fr")
    assert stored.password_hash is not None and stored.password_hash.startswith("$argon2id$")
    assert await verify_password(stored.password_hash, GOOD)

    again = await auth.client.post(f"/password/links/{token}/password", json=body, headers=HEADERS)
    assert again.status_code == 410
    assert again.json()["type"] == "urn:marelle:problem:link-used"

    # A later request is a forgotten password: 60 minutes.
    reset = await ask_link(auth, "b@exemple.fr")
    assert (await auth.client.get(f"/password/links/{reset}", headers=HEADERS)).json()[
        "purpose"
    ] == "reset"
    async with auth.runtime.database.transaction() as session:
        link = await session.scalar(
            sa.select(PasswordLink).where(
                PasswordLink.used_at.is_(None), PasswordLink.voided_at.is_(None)
            )
        )  # type: ignore[union-attr]
    assert link is not None and link.expires_at - link.created_at <= timedelta(minutes=60)


async def test_a_new_request_voids_the_older_links(auth: ServiceUnderTest) -> None:
    await add_guardian(auth, "c@exemple.fr")
    first = await ask_link(auth, "c@exemple.fr")
    second = await ask_link(auth, "c@exemple.fr")
    old = await auth.client.get(f"/password/links/{first}", headers=HEADERS)
    assert old.status_code == 410 and old.json()["type"] == "urn:marelle:problem:link-invalid"
    assert (await auth.client.get(f"/password/links/{second}", headers=HEADERS)).status_code == 200


async def test_an_expired_link_is_refused(auth: ServiceUnderTest) -> None:
    await add_guardian(auth, "d@exemple.fr")
    token = await ask_link(auth, "d@exemple.fr")
    async with auth.runtime.database.transaction() as session:
        await session.execute(
            sa.update(PasswordLink).values(expires_at=utcnow() - timedelta(seconds=1))
        )
    response = await auth.client.post(
        f"/password/links/{token}/password",
        json={"password": GOOD, "confirmation": GOOD},
        headers=HEADERS,
    )
    assert response.status_code == 410
    assert response.json()["type"] == "urn:marelle:problem:link-expired"
    assert (await account(auth, "d@exemple.fr")).password_hash is None


async def test_a_refused_password_says_which_rules_fail_and_keeps_the_link(
    auth: ServiceUnderTest,
) -> None:
    await add_guardian(auth, "e@exemple.fr", first_name="Émile")
    token = await ask_link(auth, "e@exemple.fr")
    response = await auth.client.post(
        f"/password/links/{token}/password",
        json={"password": "Emile2024!xx", "confirmation": "Emile2024!xy"},
        headers=HEADERS,
    )
    # A rule of the service (it depends on the account), not a malformed payload.
    assert response.status_code == 409
    assert response.json()["type"] == "urn:marelle:problem:password-policy"
    failed = {r["code"] for r in response.json()["rules"] if not r["ok"]}
    assert failed == {"same"}
    assert (await auth.client.get(f"/password/links/{token}", headers=HEADERS)).status_code == 200


async def test_tampered_tokens_and_other_tenants_get_nothing(auth: ServiceUnderTest) -> None:
    await add_guardian(auth, "f@exemple.fr")
    token = await ask_link(auth, "f@exemple.fr")
    assert token is not None
    for bad in (
        token[:-1] + ("A" if token[-1] != "A" else "B"),
        "short",
        "x" * 150,
        "..%2F..%2Fetc",
    ):
        response = await auth.client.get(f"/password/links/{bad}", headers=HEADERS)
        assert response.status_code in (404, 410), bad
    other = await auth.client.get(
        f"/password/links/{token}", headers={"X-Marelle-Tenant": str(uuid4())}
    )
    assert other.status_code == 410
    assert await ask_link(auth, "f@exemple.fr", tenant=uuid4()) is None


async def test_email_change_moves_the_login_and_removal_closes_it(auth: ServiceUnderTest) -> None:
    guardian = await add_guardian(auth, "g@exemple.fr")
    token = await ask_link(auth, "g@exemple.fr")
    await auth.deliver(
        GuardianEmailChanged(
            household_id=guardian.household_id,
            guardian_id=guardian.guardian_id,
            email="g2@exemple.fr",
        ),
        tenant_id=TENANT,
        key=guardian.household_id,
    )
    assert (await auth.client.get(f"/password/links/{token}", headers=HEADERS)).status_code == 410
    assert await ask_link(auth, "g@exemple.fr") is None
    assert await ask_link(auth, "g2@exemple.fr") is not None

    await auth.deliver(
        GuardianRemoved(household_id=guardian.household_id, guardian_id=guardian.guardian_id),
        tenant_id=TENANT,
        key=guardian.household_id,
    )
    assert await ask_link(auth, "g2@exemple.fr") is None
    assert (await account(auth, "g2@exemple.fr")).active is False


async def test_malformed_emails_are_refused_with_a_field_error(auth: ServiceUnderTest) -> None:
    for email in ("pas-une-adresse", "a@b", "anne@exemple.fr\u200b", "x" * 300 + "@exemple.fr"):
        response = await auth.client.post("/password/links", json={"email": email}, headers=HEADERS)
        assert response.status_code == 422, email
        assert response.json()["errors"][0]["field"] == "email"


async def test_suggestions_random_and_from_a_sentence(auth: ServiceUnderTest) -> None:
    random = (await auth.client.post("/password/suggestions", json={"method": "random"})).json()
    assert len(random["password"]) == 16
    sentence = await auth.client.post(
        "/password/suggestions",
        json={"method": "sentence", "sentence": "J'ai 2 chats et 1 chien !"},
    )
    assert sentence.json()["password"] == "J2ce1c!"
    for body in ({"method": "sentence"}, {"method": "sentence", "sentence": "  "}):
        missing = await auth.client.post("/password/suggestions", json=body)
        assert missing.status_code == 422
        [error] = missing.json()["errors"]
        assert error["field"] == "sentence" and "phrase" in error["message"]


async def test_every_step_is_in_the_audit_log_with_ip_and_outcome(
    auth: ServiceUnderTest, tokens: TokenFactory
) -> None:
    await add_guardian(auth, "h@exemple.fr")
    forwarded = {**HEADERS, "X-Forwarded-For": "198.51.100.23, 10.0.0.1"}
    await auth.client.post("/password/links", json={"email": "h@exemple.fr"}, headers=forwarded)
    token = (await auth.published())[-1]["payload"]["token"]
    await auth.client.post("/password/links", json={"email": "zz@exemple.fr"}, headers=forwarded)
    body = {"password": GOOD, "confirmation": GOOD}
    await auth.client.post(f"/password/links/{token}/password", json=body, headers=forwarded)
    await auth.client.post(f"/password/links/{token}/password", json=body, headers=forwarded)

    admin = tokens.headers(roles=["admin"], tenant_id=TENANT)
    entries = (await auth.client.get("/audit", headers=admin)).json()
    seen = [(e["action"], e["outcome"], e["ip"]) for e in reversed(entries)]
    assert seen == [
        ("password_link.requested", "first_login", "198.51.100.23"),
        ("password_link.requested", "unknown", "198.51.100.23"),
        ("password.set", "success", "198.51.100.23"),
        ("password.set", "refused", "198.51.100.23"),
    ]
    assert entries[0]["detail"] == "link-used"
    agent = tokens.headers(roles=["agent"], tenant_id=TENANT)
    assert (await auth.client.get("/audit", headers=agent)).status_code == 403
    other_admin = tokens.headers(roles=["admin"], tenant_id=uuid4())
    assert (await auth.client.get("/audit", headers=other_admin)).json() == []
