"""Pure renderers: a typed view model in, subject + HTML + text out (French templates)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from marelle_kit.localtime import to_local
from marelle_mailing import catalogue

# How an instant reads in a mail, in Paris time: 23/11/2026 à 10:30.
LOCAL_INSTANT = "%d/%m/%Y à %H:%M"
_templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent.parent / "templates" / "mail"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    html: str
    text: str


@dataclass(frozen=True)
class PasswordLinkMail:
    tenant_name: str
    first_name: str
    purpose: str  # "first_login" | "reset"
    link: str
    expires_at: datetime

    @property
    def validity(self) -> str:
        return catalogue.LINK_VALIDITY.get(self.purpose, catalogue.LINK_VALIDITY["reset"])

    @property
    def expires_local(self) -> str:
        return to_local(self.expires_at).strftime(LOCAL_INSTANT)


def render_password_link(view: PasswordLinkMail) -> RenderedMail:
    context = {**asdict(view), "validity": view.validity, "expires_local": view.expires_local}
    subject = (
        catalogue.SUBJECT_FIRST_LOGIN if view.purpose == "first_login" else catalogue.SUBJECT_RESET
    ).format(tenant=view.tenant_name)
    return RenderedMail(
        subject=subject,
        html=_templates.get_template("password_link.html").render(context),
        text=_templates.get_template("password_link.txt").render(context),
    )


@dataclass(frozen=True)
class AccountLockedMail:
    tenant_name: str
    first_name: str
    portal_url: str
    locked_until: datetime


def render_account_locked(view: AccountLockedMail) -> RenderedMail:
    context = {
        **asdict(view),
        "until_local": to_local(view.locked_until).strftime(LOCAL_INSTANT),
    }
    return RenderedMail(
        subject=catalogue.SUBJECT_ACCOUNT_LOCKED.format(tenant=view.tenant_name),
        html=_templates.get_template("account_locked.html").render(context),
        text=_templates.get_template("account_locked.txt").render(context),
    )
