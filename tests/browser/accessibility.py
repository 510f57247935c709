"""axe-core (bundled by axe-playwright-python) run on the page as it stands: no serious or critical problem."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

__all__ = ("assert_accessible",)

_AXE = Axe()
SERIOUS = frozenset({"serious", "critical"})


def assert_accessible(page: Page) -> None:
    """Fail with each serious or critical violation: its rule, what it says and where."""
    results = _AXE.run(page)
    found = [
        f"{v['id']} ({v['impact']}): {v['help']} at {', '.join(str(n['target']) for n in v['nodes'][:3])}"
        for v in results.response["violations"]
        if v.get("impact") in SERIOUS
    ]
    assert not found, f"{page.url}:\n" + "\n".join(found)
