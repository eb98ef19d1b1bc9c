import logging

import uvicorn

from marelle_gateway.app import create_gateway_app
from marelle_gateway.settings import GatewaySettings

settings = GatewaySettings()
logging.basicConfig(level=settings.platform.log_level)
uvicorn.run(
    create_gateway_app(settings), host=settings.host, port=settings.port, log_level="warning"
)
