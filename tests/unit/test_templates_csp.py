"""The templates hold nothing the Content-Security-Policy blocks: no inline script, event-handler attribute,
style attribute or block, or javascript: link; and every script they load is a file the registry serves."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from registry.settings import PROJECT_ROOT
from registry.web.security import CONTENT_SECURITY_POLICY

TEMPLATES = sorted((PROJECT_ROOT / "templates").rglob("*.html"))
STATIC = PROJECT_ROOT / "registry" / "static"


def _source(path: Path) -> str:
    # Jinja comments may mention what they avoid.
    return re.sub(r"\{#.*?#\}", "", path.read_text(), flags=re.DOTALL)


def test_there_are_templates_to_check() -> None:
    assert len(TEMPLATES) > 20


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(PROJECT_ROOT / "templates")))
def test_no_inline_script_or_style(template: Path) -> None:
    html = _source(template)
    for tag in re.findall(r"<script\b[^>]*>", html, flags=re.IGNORECASE):
        assert re.search(r"\ssrc=\"/static/", tag), f"inline or foreign script: {tag}"
    assert not re.search(r"<script\b[^>]*>\s*\S[^<]*</script>", html, flags=re.IGNORECASE), "script with a body"
    assert not re.search(r"\son[a-z]+\s*=", html, flags=re.IGNORECASE), "event-handler attribute"
    assert not re.search(r"\sstyle\s*=", html, flags=re.IGNORECASE), "style attribute"
    assert "<style" not in html.lower(), "style block"
    assert "javascript:" not in html.lower(), "javascript: link"


def test_the_scripts_templates_load_exist() -> None:
    loaded = {src for t in TEMPLATES for src in re.findall(r'<script\b[^>]*\ssrc="/static/app/([^"]+)"', _source(t))}
    assert {"js-enabled.js", "init.js", "print-button.js"} <= loaded
    for name in loaded:
        assert (STATIC / name).is_file(), name


def test_the_policy_allows_no_inline_code() -> None:
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY
    assert "'unsafe-eval'" not in CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY
