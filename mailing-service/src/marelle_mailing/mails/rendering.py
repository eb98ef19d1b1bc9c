"""The password-link mail: a fixed template (it must carry the link; tenants do not edit it).
Pure: a typed view model in, subject + HTML + text out."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from marelle_kit import formats
from marelle_mailing.composing.rendering import RenderedMail

_templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent.parent / "templates" / "mail"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class PasswordLinkMail:
    tenant_name: str
    first_name: str
    purpose: str  # "first_login" | "reset"
    link: str
    expires_at: datetime

    @property
    def validity(self) -> str:
        return "24 heures" if self.purpose == "first_login" else "60 minutes"

    @property
    def expires_local(self) -> str:
        return formats.moment(self.expires_at)


def render_password_link(view: PasswordLinkMail) -> RenderedMail:
    context = {**asdict(view), "validity": view.validity, "expires_local": view.expires_local}
    subject = (
        f"{view.tenant_name} — créez votre mot de passe"
        if view.purpose == "first_login"
        else f"{view.tenant_name} — réinitialisez votre mot de passe"
    )
    return RenderedMail(
        subject=subject,
        html=_templates.get_template("password_link.html").render(context),
        text=_templates.get_template("password_link.txt").render(context),
    )
