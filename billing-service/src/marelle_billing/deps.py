from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from marelle_billing.settings import BillingSettings


def _settings(request: Request) -> BillingSettings:
    settings = request.app.state.runtime.settings
    assert isinstance(settings, BillingSettings)
    return settings


SettingsDep = Annotated[BillingSettings, Depends(_settings)]
