"""Login limits (SECURITY.md, CNIL 2022-100 "cas 2", stricter than Keycloak's defaults).

Per account: from the 5th failure within 24 h each new attempt waits 2^(n-5) seconds (1 s, 2 s,
4 s...); at the 10th failure the account is locked for an hour and its owner is mailed; staff
can unlock it. Per IP address: the same growing delay from the 20th failure (a whole school
behind one address must not lock itself out), never a lock. A throttled or locked attempt gets
the same answer as a wrong password."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from marelle_auth.throttling.store import FailureStore

WINDOW_SECONDS = 24 * 3600
ACCOUNT_DELAY_FROM = 5
ACCOUNT_LOCK_AT = 10
IP_DELAY_FROM = 20
LOCK_SECONDS = 3600
MAX_DELAY_SECONDS = 15 * 60


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    locked: bool = False
    retry_after: float = 0.0


def _delay(failures: int, delay_from: int) -> float:
    if failures < delay_from:
        return 0.0
    return float(min(2 ** (failures - delay_from), MAX_DELAY_SECONDS))


class LoginThrottle:
    def __init__(self, store: FailureStore, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.clock = clock

    @staticmethod
    def account_key(tenant_id: object, email: str) -> str:
        return f"account:{tenant_id}:{email.lower()}"

    @staticmethod
    def ip_key(ip: str | None) -> str:
        return f"ip:{ip or 'unknown'}"

    async def check(self, account_key: str, ip_key: str) -> Verdict:
        now = self.clock()
        if await self.store.locked_until(account_key, now) is not None:
            return Verdict(allowed=False, locked=True)
        for key, delay_from in ((account_key, ACCOUNT_DELAY_FROM), (ip_key, IP_DELAY_FROM)):
            count, last = await self.store.failures(key, now, WINDOW_SECONDS)
            wait = _delay(count, delay_from)
            if last is not None and wait and now < last + wait:
                return Verdict(allowed=False, retry_after=last + wait - now)
        return Verdict(allowed=True)

    async def failed(self, account_key: str, ip_key: str) -> bool:
        """Count a failure; True when this failure locks the account."""
        now = self.clock()
        await self.store.add_failure(ip_key, now, WINDOW_SECONDS)
        count = await self.store.add_failure(account_key, now, WINDOW_SECONDS)
        if count >= ACCOUNT_LOCK_AT and await self.store.locked_until(account_key, now) is None:
            await self.store.lock(account_key, now + LOCK_SECONDS)
            return True
        return False

    async def succeeded(self, account_key: str) -> None:
        await self.store.clear(account_key)

    async def unlock(self, account_key: str) -> None:
        await self.store.clear(account_key)

    async def locked_until(self, account_key: str) -> float | None:
        return await self.store.locked_until(account_key, self.clock())
