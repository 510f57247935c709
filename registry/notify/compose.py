"""Mail bodies from templates: ``templates/mail/<kind>.jinja`` says what a message says, once, and renders
as the plain-text part and as the HTML part (escaped), so the two always carry the same facts.

A kind's template extends ``layout`` (``mail/layout.txt`` or ``mail/layout.html``, passed in) and fills
its blocks: ``body`` (paragraphs separated by a blank line; a paragraph whose lines all start with ``- ``
is a list), ``why`` (why the person got it) and, when the defaults do not fit, ``greeting`` ("Dear
{{ name }},") and ``link_label`` ("See it here", before the ``link``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from jinja2 import Environment, StrictUndefined

from registry.templating import environment

__all__ = ("Paragraph", "paragraphs", "render_mail")

_BULLET = "- "


@dataclass(frozen=True, slots=True)
class Paragraph:
    """One paragraph of a message: running text, or the items of a list."""

    text: str = ""
    items: tuple[str, ...] = ()


def paragraphs(body: str) -> list[Paragraph]:
    """Split rendered text at blank lines; lines of a paragraph join with spaces. Markup stays Markup, so
    the HTML layout never escapes twice."""
    found = []
    for chunk in body.replace("\r\n", "\n").split("\n\n"):
        lines = [line.strip() for line in chunk.split("\n") if line.strip()]
        if not lines:
            continue
        if all(line.startswith(_BULLET) for line in lines):
            found.append(Paragraph(items=tuple(line[len(_BULLET) :] for line in lines)))
        else:
            found.append(Paragraph(text=type(body)(" ").join(lines)))
    return found


def _as_text(body: str) -> str:
    parts = [p.text or "\n".join(_BULLET + item for item in p.items) for p in paragraphs(body)]
    return "\n\n".join(parts) + "\n"


@cache
def _environments() -> tuple[Environment, Environment]:
    """(text, HTML) views of the pages' environment: the same templates and filters; escaping only for
    HTML; a context variable a template names but was not given is an error, not a silent blank."""
    shared = environment()
    # Own caches: autoescaping is decided when a template is compiled, so neither may reuse the other's.
    text = shared.overlay(autoescape=False, undefined=StrictUndefined, cache_size=100)
    page = shared.overlay(autoescape=True, undefined=StrictUndefined, cache_size=100)
    page.filters = {**shared.filters, "paragraphs": paragraphs}
    return text, page


def render_mail(kind: str, **context: Any) -> tuple[str, str]:
    """The (plain text, HTML) bodies of a message of this kind."""
    text_environment, html_environment = _environments()
    name = f"mail/{kind}.jinja"
    text = text_environment.get_template(name).render(layout="mail/layout.txt", **context)
    page = html_environment.get_template(name).render(layout="mail/layout.html", **context)
    return _as_text(text), page
