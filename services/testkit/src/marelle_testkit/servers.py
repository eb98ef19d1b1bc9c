"""Where the integration tests find real servers.

From environment variables first (CI and ``deploy/local/servers.sh`` set them); otherwise from
testcontainers when a Docker engine answers; otherwise the test is skipped, unless
``MARELLE_REQUIRE_SERVERS=1`` (CI), where a missing server is a failure.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack
from typing import Any

import pytest

POSTGRES_ENV = "MARELLE_TEST_POSTGRES_URL"
REDIS_ENV = "MARELLE_TEST_REDIS_URL"
KAFKA_ENV = "MARELLE_TEST_KAFKA_BOOTSTRAP"
REQUIRE_ENV = "MARELLE_REQUIRE_SERVERS"


def servers_required() -> bool:
    return os.environ.get(REQUIRE_ENV, "").lower() in ("1", "true", "yes")


def _docker_engine_available() -> bool:
    try:
        import docker

        docker.from_env(timeout=3).ping()
    except Exception:
        return False
    return True


def unavailable(what: str) -> None:
    message = f"{what}: no server given ({POSTGRES_ENV}, {REDIS_ENV}, {KAFKA_ENV}) and no Docker"
    if servers_required():
        pytest.fail(f"{message}, but {REQUIRE_ENV}=1 demands real servers", pytrace=False)
    pytest.skip(message)


def _from_container(
    stack: ExitStack, factory: Callable[[], AbstractContextManager[Any]], read: Callable[[Any], str]
) -> str:
    return read(stack.enter_context(factory()))


def find_server(env: str, what: str, container: Callable[[ExitStack], str]) -> Iterator[str]:
    value = os.environ.get(env)
    if value:
        yield value
        return
    if not _docker_engine_available():
        unavailable(what)
    with ExitStack() as stack:
        yield container(stack)


def postgres_container(stack: ExitStack) -> str:
    from testcontainers.postgres import PostgresContainer

    return _from_container(
        stack,
        lambda: PostgresContainer("postgres:16-alpine", driver=None),
        lambda c: c.get_connection_url(),
    )


def redis_container(stack: ExitStack) -> str:
    from testcontainers.redis import RedisContainer

    def url(c: Any) -> str:
        return f"redis://{c.get_container_host_ip()}:{c.get_exposed_port(6379)}/0"

    return _from_container(stack, lambda: RedisContainer("redis:7-alpine"), url)


def kafka_container(stack: ExitStack) -> str:
    from testcontainers.kafka import KafkaContainer

    return _from_container(
        stack,
        lambda: KafkaContainer("confluentinc/cp-kafka:7.6.0").with_kraft(),
        lambda c: c.get_bootstrap_server(),
    )
