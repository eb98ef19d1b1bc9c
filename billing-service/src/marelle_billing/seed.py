"""Demo data (embedded mode): written later in this branch."""

from __future__ import annotations

from marelle_kit.runtime import ServiceRuntime


async def seed_demo(runtime: ServiceRuntime) -> None:
    return None
