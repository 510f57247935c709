"""The plain-text and HTML bodies every message shares: greeting, what happened, why you got it, the link."""

from __future__ import annotations

import html

__all__ = ("bodies",)


def bodies(name: str, lines: list[str], why: str, link: str) -> tuple[str, str]:
    """(text, html) with the same content; HTML is escaped."""
    greeting = f"Dear {name},"
    text = "\n\n".join([greeting, *lines, why, f"See it here: {link}"]) + "\n"
    paragraphs = "".join(f"<p>{html.escape(line)}</p>" for line in [greeting, *lines])
    page = (
        f"<html><body>{paragraphs}<p><small>{html.escape(why)}</small></p>"
        f'<p><a href="{html.escape(link)}">{html.escape(link)}</a></p></body></html>'
    )
    return text, page
