"""``make bench``: loads the system on this machine and writes docs/benchmarks.md.

Every figure comes from this run: the bare framework (ceiling), a one-hop proxy with aiohttp
and with httpx, a service read directly and through the gateway, household creation through the
gateway, and the time for those households' events to open their billing accounts. Servers run
in their own processes; the load generator in another. Loopback only, bounded in requests."""

from __future__ import annotations

import asyncio
import json
import os
import platform
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from tempfile import TemporaryDirectory

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from loadgen import LoadResult, run_load

ROOT = Path(__file__).resolve().parents[2]
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "6000"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "32"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_mib(pid: int) -> float:
    total = 0
    for candidate in [pid, *children(pid)]:
        try:
            for line in Path(f"/proc/{candidate}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total / 1024


def children(pid: int) -> list[int]:
    try:
        found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except FileNotFoundError:
        return []
    result = [int(c) for c in found]
    for child in list(result):
        result.extend(children(child))
    return result


def wait_http(url: str, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1)  # noqa: S310 - loopback only
            return
        except Exception:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


@contextmanager
def process(args: list[str], env: dict[str, str], ready_url: str) -> Iterator[int]:
    proc = subprocess.Popen(
        args,
        env={**os.environ, **env},
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_http(ready_url)
        yield proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def uvicorn_args(app: str, port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "uvicorn",
        app,
        "--app-dir",
        str(Path(__file__).parent),
        "--port",
        str(port),
        "--host",
        "127.0.0.1",
        "--log-level",
        "warning",
        "--no-access-log",
    ]


@dataclass
class Row:
    name: str
    result: LoadResult
    rss: float


def load(url: str, headers: dict[str, str] | None = None, total: int = REQUESTS) -> LoadResult:
    with ProcessPoolExecutor(max_workers=1) as pool:
        return pool.submit(run_load, url, total, CONCURRENCY, headers or {}).result()


def measure_references() -> list[Row]:
    rows = []
    bare_port = free_port()
    with process(
        uvicorn_args("apps:bare", bare_port), {}, f"http://127.0.0.1:{bare_port}/ping"
    ) as pid:
        ceiling = load(f"http://127.0.0.1:{bare_port}/ping")
        rows.append(Row("FastAPI nu, GET /ping (plafond)", ceiling, rss_mib(pid)))
        for client in ("aiohttp", "httpx"):
            port = free_port()
            env = {
                "BENCH_PROXY_CLIENT": client,
                "BENCH_PROXY_TARGET": f"http://127.0.0.1:{bare_port}",
            }
            with process(
                uvicorn_args("apps:hop", port), env, f"http://127.0.0.1:{port}/ping"
            ) as hop:
                result = load(f"http://127.0.0.1:{port}/ping")
                rows.append(
                    Row(f"un saut de proxy avec {client} → FastAPI nu", result, rss_mib(hop))
                )
    return rows


def measure_system(data_dir: Path) -> tuple[list[Row], dict[str, float]]:
    sys.path.insert(0, str(ROOT / "tests"))
    from marelle_testkit.tokens import TokenFactory

    tokens = TokenFactory()
    jwks_file = data_dir / "jwks.json"
    jwks_file.write_text(json.dumps(tokens.jwks))
    jwks_port = free_port()
    ports = {
        name: free_port() for name in ("gateway", "auth", "family", "booking", "billing", "mailing")
    }
    env = {
        "MARELLE_DATA_DIR": str(data_dir / "var"),
        "MARELLE_JWKS_URL": f"http://127.0.0.1:{jwks_port}/jwks.json",
        **{f"MARELLE_{name.upper()}_PORT": str(port) for name, port in ports.items()},
        # The benchmark is a load test: lift the per-IP limit for the loopback client.
        "MARELLE_GATEWAY_RATE_LIMIT_REQUESTS": "100000000",
    }
    rows: list[Row] = []
    facts: dict[str, float] = {}
    jwks_server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "http.server",
            str(jwks_port),
            "--bind",
            "127.0.0.1",
            "--directory",
            str(data_dir),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        gateway = f"http://127.0.0.1:{ports['gateway']}"
        started = time.perf_counter()
        with process([sys.executable, "-m", "marelle_embedded"], env, f"{gateway}/readyz") as pid:
            facts["embedded start (s)"] = time.perf_counter() - started
            family = f"http://127.0.0.1:{ports['family']}"
            read = "/tenants/by-slug/demo"
            rows.append(
                Row(
                    "family-service direct, lecture d'une structure",
                    load(family + read),
                    rss_mib(pid),
                )
            )
            rows.append(
                Row(
                    "via la passerelle, même lecture",
                    load(f"{gateway}/api/family{read}"),
                    rss_mib(pid),
                )
            )
            tenant_id = json.loads(urllib.request.urlopen(f"{family}{read}").read())["id"]  # noqa: S310
            token = tokens.token(roles=["agent"], tenant_id=tenant_id, expires_in=3600)
            agent = {"Authorization": f"Bearer {token}"}
            created = asyncio.run(create_households(gateway, agent, 500))
            rows.append(
                Row(
                    "via la passerelle, création de foyers (écriture + événement)",
                    created,
                    rss_mib(pid),
                )
            )
            began = time.perf_counter()
            asyncio.run(wait_accounts(gateway, agent, 500 + 4))
            facts["500 foyers → comptes de facturation ouverts par événement (s)"] = (
                time.perf_counter() - began
            )
            facts["mémoire du processus embarqué (MiB)"] = rss_mib(pid)
    finally:
        jwks_server.terminate()
    return rows, facts


async def create_households(gateway: str, headers: dict[str, str], count: int) -> LoadResult:
    latencies: list[float] = []
    errors = 0
    async with httpx.AsyncClient(base_url=gateway, headers=headers, timeout=30) as client:
        semaphore = asyncio.Semaphore(8)

        async def one(i: int) -> None:
            nonlocal errors
            async with semaphore:
                t = time.perf_counter()
                response = await client.post(
                    "/api/family/households", json={"name": f"Famille {i}"}
                )
                latencies.append(time.perf_counter() - t)
                errors += response.status_code != 201

        began = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(count)))
        elapsed = time.perf_counter() - began
    latencies.sort()
    return LoadResult(
        count,
        errors,
        elapsed,
        latencies[len(latencies) // 2] * 1000,
        latencies[int(len(latencies) * 0.99)] * 1000,
    )


async def wait_accounts(gateway: str, headers: dict[str, str], expected: int) -> None:
    async with httpx.AsyncClient(base_url=gateway, headers=headers, timeout=30) as client:
        for _ in range(1200):
            response = await client.get(
                "/api/billing/accounts", params={"limit": 500, "offset": expected - 1}
            )
            if response.status_code == 200 and response.json():
                return
            await asyncio.sleep(0.05)
    raise RuntimeError("billing accounts did not all open")


def write_report(references: list[Row], system: list[Row], facts: dict[str, float]) -> str:
    lines = [
        "# Benchmarks",
        "",
        f"Produced by `make bench` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{REQUESTS} requests per read scenario at concurrency {CONCURRENCY} "
        "(closed loop, aiohttp load generator in its own process, loopback).",
        "The bare-framework row is the ceiling measured in the same run; embedded mode "
        "(SQLite, in-process events).",
        "",
        "| scénario | req/s | p50 (ms) | p99 (ms) | erreurs | mémoire serveur (MiB) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for row in [*references, *system]:
        r = row.result
        lines.append(
            f"| {row.name} | {r.throughput:.0f} | {r.p50_ms:.1f} | {r.p99_ms:.1f} | "
            f"{r.errors} | {row.rss:.0f} |"
        )
    lines += ["", "| fait mesuré | valeur |", "|---|---:|"]
    lines += [f"| {name} | {value:.2f} |" for name, value in facts.items()]
    lines.append("")
    return "\n".join(lines)


def main() -> None:
    references = measure_references()
    with TemporaryDirectory() as tmp:
        system, facts = measure_system(Path(tmp))
    report = write_report(references, system, facts)
    (ROOT / "docs" / "benchmarks.md").write_text(report)
    print(report)


if __name__ == "__main__":
    main()
