"""The back office as its own process (distributed mode's `python -m marelle_gateway
backoffice`): the same /admin pages, its own login through the auth-service and its own
callback, health and readiness — beside a running system."""

from __future__ import annotations

import asyncio
import json
import re

import httpx
import uvicorn

from marelle_auth.seed import DEMO_STAFF_PASSWORD
from marelle_gateway.app import create_backoffice_app

from whole_system import free_port, start_system


async def test_staff_sign_in_to_the_back_office_running_alone(
    embedded_env: dict[str, str],
) -> None:
    port = free_port()
    staff_url = f"http://127.0.0.1:{port}"
    gateway = f"http://127.0.0.1:{embedded_env['MARELLE_GATEWAY_PORT']}"
    embedded_env["MARELLE_AUTH_PORTAL_REDIRECT_URIS"] = json.dumps(
        [f"{gateway}/auth/callback", f"{staff_url}/admin/connexion/retour"]
    )
    async with start_system(embedded_env) as system:
        settings = system.system.gateway_settings.model_copy(
            update={"backoffice_url": staff_url, "backoffice_port": port}
        )
        app = create_backoffice_app(settings)
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
        )
        task = asyncio.create_task(server.serve())
        try:
            while not server.started:
                await asyncio.sleep(0.02)
            async with httpx.AsyncClient(base_url=staff_url, timeout=10) as client:
                assert (await client.get("/readyz")).json()["status"] == "ready"
                root = await client.get("/")
                assert root.status_code == 303 and root.headers["location"] == "/admin/"
                page = await client.get("/admin")
                assert page.status_code == 200 and "Connexion des agents" in page.text
                assert "/api/" not in page.text  # it needs no proxy of its own
                fields = dict(
                    re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text)
                )
                assert fields["redirect_uri"] == f"{staff_url}/admin/connexion/retour"
                answer = await client.post(
                    "/admin/connexion",
                    data={**fields, "email": "agent@demo.test", "password": DEMO_STAFF_PASSWORD},
                )
                assert answer.status_code == 303
                callback = await client.get(answer.headers["location"])
                assert callback.status_code == 303, callback.text
                households = await client.get(callback.headers["location"])
                assert households.status_code == 200 and "Famille Martin" in households.text
                css = await client.get("/static/marelle.css")
                assert css.status_code == 200
                # The portal is not served by this process.
                assert (await client.get("/mon-foyer")).status_code == 404
        finally:
            server.should_exit = True
            await task
