from __future__ import annotations

import re
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from marelle_auth import catalogue
from marelle_kit.validation import EmailAddress

# The shape of a link token (secrets.token_urlsafe): anything else was tampered with.
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{20,100}")


class LinkRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailAddress


class LinkInfo(BaseModel):
    purpose: Literal["first_login", "reset"]
    email: str
    first_name: str
    expires_at: datetime


class NewPassword(BaseModel):
    model_config = ConfigDict(extra="forbid")

    password: str = Field(max_length=1000)
    confirmation: str = Field(max_length=1000)


class PasswordCheck(NewPassword):
    email: str | None = Field(default=None, max_length=254)
    names: list[str] = Field(default_factory=list, max_length=4)


class RuleOut(BaseModel):
    code: str
    label: str
    ok: bool


class PolicyOut(BaseModel):
    acceptable: bool
    entropy_bits: float
    strength: int
    rules: list[RuleOut]


class SuggestionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    method: Literal["random", "sentence"]
    sentence: str | None = Field(default=None, max_length=300, validate_default=True)

    @field_validator("sentence")
    @classmethod
    def _sentence_for_that_method(cls, value: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("method") == "sentence" and not (value and value.strip()):
            raise ValueError(catalogue.SENTENCE_MISSING)
        return value


class Suggestion(BaseModel):
    password: str
    derivation: list[tuple[str, str]] = Field(default_factory=list)


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: str = Field(max_length=1000)
    password: str = Field(max_length=1000)
    confirmation: str = Field(max_length=1000)
    # The caller's own session (its refresh token) survives; every other session ends.
    keep_refresh_token: str | None = Field(default=None, max_length=200)
