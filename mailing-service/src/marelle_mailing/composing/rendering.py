"""Pure rendering of editable templates: staff-written HTML is sanitised (nh3) once when saved,
merge fields are filled by a sandboxed Jinja environment (no attribute access to Python
objects, autoescaped HTML), the plain-text part is written by staff or derived from the HTML,
and the tenant's layout wraps the body. Typed view in, subject + HTML + text out."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, ClassVar

import nh3
from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateSyntaxError,
    UndefinedError,
    select_autoescape,
)
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

# What staff may write in a mail: text formatting, lists, links. No images (tracking), no
# styles, no scripts, no forms.
ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "ul",
    "ol",
    "li",
    "a",
    "h2",
    "h3",
    "blockquote",
    "hr",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}

_html_env = SandboxedEnvironment(autoescape=True, undefined=StrictUndefined)
_text_env = SandboxedEnvironment(autoescape=False, undefined=StrictUndefined)
_subject_env = SandboxedEnvironment(autoescape=False, undefined=StrictUndefined)

_layouts = Environment(
    loader=FileSystemLoader(Path(__file__).parent.parent / "templates" / "mail"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


class TemplateInvalid(ValueError):
    """A template that does not render: bad syntax, an unknown merge field, a forbidden
    construct. The message is French, for the person who wrote it."""


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    html: str
    text: str


@dataclass(frozen=True)
class TemplateSource:
    subject: str
    html: str
    text: str


def sanitise(source: str) -> str:
    """The HTML staff wrote, reduced to the allowed tags; links open safely."""
    return nh3.clean(
        source,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )


class _TextWriter(HTMLParser):
    """Sanitised HTML to readable plain text: paragraphs, line breaks, list bullets, links
    written out after their text (the subset ALLOWED_TAGS permits)."""

    BLOCKS: ClassVar[frozenset[str]] = frozenset({"p", "h2", "h3", "blockquote", "ul", "ol", "hr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.href: str | None = None
        self.link_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.BLOCKS:
            self.parts.append("\n\n")
        if tag == "br":
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag == "hr":
            self.parts.append("----------\n\n")
        elif tag == "a":
            self.href = dict(attrs).get("href")
            self.link_text = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            text = "".join(self.link_text).strip()
            if self.href and self.href not in (text, f"mailto:{text}"):
                self.parts.append(f" ({self.href})")
            self.href = None
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        collapsed = re.sub(r"\s+", " ", data)
        self.parts.append(collapsed)
        if self.href is not None:
            self.link_text.append(collapsed)

    def text(self) -> str:
        joined = "".join(self.parts)
        lines = [line.strip() for line in joined.splitlines()]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def html_to_text(source: str) -> str:
    writer = _TextWriter()
    writer.feed(source)
    writer.close()
    return writer.text()


def _render(env: SandboxedEnvironment, source: str, context: dict[str, Any], part: str) -> str:
    try:
        return env.from_string(source).render(context)
    except UndefinedError as exc:
        raise TemplateInvalid(f"{part} : champ de fusion inconnu ({exc.message})") from exc
    except TemplateSyntaxError as exc:
        raise TemplateInvalid(f"{part}, ligne {exc.lineno} : syntaxe incorrecte") from exc
    except SecurityError as exc:
        raise TemplateInvalid(f"{part} : construction interdite dans un modèle") from exc


def render_source(source: TemplateSource, context: dict[str, Any]) -> RenderedMail:
    """Fill the merge fields (the body only: the layout is applied by ``in_layout``)."""
    subject = _render(_subject_env, source.subject, context, "Objet")
    return RenderedMail(
        # One line (a header cannot hold a line break); no-break spaces of amounts are kept.
        subject=re.sub(r"[ \t\r\n]+", " ", subject).strip()[:200],
        html=_render(_html_env, source.html, context, "Texte mis en forme"),
        text=_render(_text_env, source.text, context, "Texte brut"),
    )


@dataclass(frozen=True)
class Layout:
    tenant_name: str
    # Grouped mails only: the one-click unsubscribe address shown in the footer.
    unsubscribe_url: str | None = None
    automatic: bool = True  # « Ce message a été envoyé automatiquement »


def in_layout(body: RenderedMail, layout: Layout) -> RenderedMail:
    context = {
        "tenant_name": layout.tenant_name,
        "subject": body.subject,
        "unsubscribe_url": layout.unsubscribe_url,
        "automatic": layout.automatic,
    }
    return RenderedMail(
        subject=body.subject,
        html=_layouts.get_template("layout.html").render(context, body=body.html),
        text=_layouts.get_template("layout.txt").render(context, body=body.text),
    )


def escape(value: str) -> str:
    return html.escape(value, quote=True)
