"""Login limits (SECURITY.md): growing delay from the 5th failure, lock at the 10th within 24 h,
a locked account answering like a wrong password, the owner told, staff unlocking."""

from __future__ import annotations

import pytest

from marelle_auth.throttling.policy import LoginThrottle
from marelle_auth.throttling.store import InProcessFailureStore, RedisFailureStore
from marelle_contracts import GuardianAdded
from marelle_testkit.plugin import ServiceUnderTest
from marelle_testkit.sealing import TEST_LINK_KEYS
from marelle_testkit.tokens import TokenFactory

from oidc_client import PASSWORD, TENANT, authorize, pkce, query_of


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


ACCOUNT, IP = "account:t:anne@exemple.fr", "ip:198.51.100.1"


async def fail(throttle: LoginThrottle, times: int, clock: FakeClock, ip: str = IP) -> bool:
    locked = False
    for _ in range(times):
        verdict = await throttle.check(ACCOUNT, ip)
        if verdict.retry_after:
            clock.advance(verdict.retry_after)
        locked = await throttle.failed(ACCOUNT, ip) or locked
    return locked


async def test_four_failures_cost_nothing_the_fifth_starts_a_growing_delay() -> None:
    clock = FakeClock()
    throttle = LoginThrottle(InProcessFailureStore(), clock)
    await fail(throttle, 4, clock)
    assert (await throttle.check(ACCOUNT, IP)).allowed
    await throttle.failed(ACCOUNT, IP)  # 5th
    verdict = await throttle.check(ACCOUNT, IP)
    assert not verdict.allowed and verdict.retry_after == pytest.approx(1)
    clock.advance(1)
    assert (await throttle.check(ACCOUNT, IP)).allowed
    await throttle.failed(ACCOUNT, IP)  # 6th: 2 s
    assert (await throttle.check(ACCOUNT, IP)).retry_after == pytest.approx(2)


async def test_the_tenth_failure_within_a_day_locks_for_an_hour() -> None:
    clock = FakeClock()
    throttle = LoginThrottle(InProcessFailureStore(), clock)
    assert await fail(throttle, 9, clock) is False
    assert await throttle.failed(ACCOUNT, IP) is True
    verdict = await throttle.check(ACCOUNT, IP)
    assert verdict.locked and not verdict.allowed
    clock.advance(3601)
    assert not (await throttle.check(ACCOUNT, IP)).locked


async def test_failures_older_than_a_day_are_forgotten() -> None:
    clock = FakeClock()
    throttle = LoginThrottle(InProcessFailureStore(), clock)
    await fail(throttle, 8, clock)
    clock.advance(24 * 3600 + 1)
    assert await fail(throttle, 9, clock) is False


async def test_a_success_or_an_unlock_starts_the_count_again() -> None:
    clock = FakeClock()
    throttle = LoginThrottle(InProcessFailureStore(), clock)
    await fail(throttle, 10, clock)
    await throttle.unlock(ACCOUNT)
    assert (await throttle.check(ACCOUNT, IP)).allowed
    await fail(throttle, 6, clock)
    await throttle.succeeded(ACCOUNT)
    assert await throttle.failed(ACCOUNT, "ip:other") is False


async def test_one_address_is_slowed_but_never_locks_anyone_out() -> None:
    clock = FakeClock()
    throttle = LoginThrottle(InProcessFailureStore(), clock)
    for index in range(25):  # many accounts from one school's address
        await throttle.failed(f"account:t:{index}@exemple.fr", IP)
    verdict = await throttle.check("account:t:new@exemple.fr", IP)
    assert not verdict.allowed and not verdict.locked


@pytest.mark.integration
async def test_the_counts_are_shared_through_redis(redis_url: str) -> None:
    from uuid import uuid4

    from redis.asyncio import Redis

    clock = FakeClock()
    prefix = f"test:{uuid4().hex}:"
    first = LoginThrottle(RedisFailureStore(Redis.from_url(redis_url), prefix), clock)
    second = LoginThrottle(RedisFailureStore(Redis.from_url(redis_url), prefix), clock)
    for index in range(10):
        replica = first if index % 2 else second
        verdict = await replica.check(ACCOUNT, IP)
        clock.advance(verdict.retry_after)
        locked = await replica.failed(ACCOUNT, IP)
    assert locked
    assert (await first.check(ACCOUNT, IP)).locked and (await second.check(ACCOUNT, IP)).locked


async def test_ten_wrong_passwords_lock_the_account_mail_its_owner_and_staff_unlock_it(
    auth: ServiceUnderTest, tokens: TokenFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    from uuid import uuid4

    event = GuardianAdded(
        household_id=uuid4(),
        guardian_id=uuid4(),
        rank=1,
        first_name="Anne",
        last_name="Roy",
        email="anne.roy@exemple.fr",
    )
    await auth.deliver(event, tenant_id=TENANT, key=event.household_id)
    headers = {"X-Marelle-Tenant": str(TENANT)}
    await auth.client.post("/password/links", json={"email": event.email}, headers=headers)
    link = TEST_LINK_KEYS.token_of((await auth.published())[-1])
    body = {"password": PASSWORD, "confirmation": PASSWORD}
    await auth.client.post(f"/password/links/{link}/password", json=body, headers=headers)

    clock = FakeClock()
    throttle: LoginThrottle = auth.runtime.state["login_throttle"]
    monkeypatch.setattr(throttle, "clock", clock)
    _verifier, challenge = pkce()
    for _ in range(10):
        clock.advance(3600)  # past every delay, well within the day
        params = query_of(await authorize(auth, challenge, password="Mauvais!Mot2passe"))
        assert params["error"] == "access_denied"

    locked_events = [e for e in await auth.published() if e["type"] == "auth.account.locked"]
    assert [e["payload"]["email"] for e in locked_events] == ["anne.roy@exemple.fr"]

    # The right password now answers exactly like a wrong one.
    params = query_of(await authorize(auth, challenge))
    assert params == {
        "error": "access_denied",
        "error_description": "credentials",
        "state": "state-123",
    }

    agent = tokens.headers(roles=["agent"], tenant_id=TENANT)
    status = (
        await auth.client.get("/accounts/lookup", params={"email": event.email}, headers=agent)
    ).json()
    assert status["locked_until"] is not None and status["has_password"]
    parent = tokens.headers(roles=["parent"], tenant_id=TENANT)
    assert (
        await auth.client.post("/accounts/unlock", json={"email": event.email}, headers=parent)
    ).status_code == 403
    unlocked = await auth.client.post(
        "/accounts/unlock", json={"email": event.email}, headers=agent
    )
    assert unlocked.status_code == 204
    assert "code" in query_of(await authorize(auth, challenge))


async def test_staff_read_the_names_of_their_tenants_accounts_only(
    auth: ServiceUnderTest, tokens: TokenFactory
) -> None:
    from uuid import uuid4

    event = GuardianAdded(
        household_id=uuid4(),
        guardian_id=uuid4(),
        rank=1,
        first_name="Lucie",
        last_name="Brun",
        email="lucie.brun@exemple.fr",
    )
    await auth.deliver(event, tenant_id=TENANT, key=event.household_id)
    agent = tokens.headers(roles=["agent"], tenant_id=TENANT)
    account = (
        await auth.client.get("/accounts/lookup", params={"email": event.email}, headers=agent)
    ).json()
    names = await auth.client.get(
        "/accounts/names", params=[("id", account["id"]), ("id", str(uuid4()))], headers=agent
    )
    assert names.status_code == 200
    assert names.json() == [
        {"id": account["id"], "first_name": "Lucie", "last_name": "Brun", "kind": "parent"}
    ]
    elsewhere = tokens.headers(roles=["agent"], tenant_id=uuid4())
    other = await auth.client.get(
        "/accounts/names", params={"id": account["id"]}, headers=elsewhere
    )
    assert other.status_code == 200 and other.json() == []
    parent = tokens.headers(roles=["parent"], tenant_id=TENANT)
    forbidden = await auth.client.get(
        "/accounts/names", params={"id": account["id"]}, headers=parent
    )
    assert forbidden.status_code == 403
