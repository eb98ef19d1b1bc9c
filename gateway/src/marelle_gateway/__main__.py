"""``python -m marelle_gateway``: the gateway (portal, API, back office at /admin);
``python -m marelle_gateway backoffice``: the back office alone (distributed mode)."""

import logging
import sys

import uvicorn

from marelle_gateway.app import create_backoffice_app, create_gateway_app
from marelle_gateway.settings import GatewaySettings

settings = GatewaySettings()
logging.basicConfig(level=settings.platform.log_level)
if sys.argv[1:] == ["backoffice"]:
    uvicorn.run(
        create_backoffice_app(settings),
        host=settings.host,
        port=settings.backoffice_port,
        log_level="warning",
    )
elif sys.argv[1:] in ([], ["gateway"]):
    uvicorn.run(
        create_gateway_app(settings),
        host=settings.host,
        port=settings.port,
        log_level="warning",
    )
else:
    sys.exit("usage: python -m marelle_gateway [gateway|backoffice]")
