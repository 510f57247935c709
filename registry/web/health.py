"""``/health`` (the process answers) and ``/ready`` (its database answers and holds every migration): for a load
balancer or orchestrator; no sign-in, nothing personal, never cached."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from litestar import Controller, Response, get

from registry.db import engine
from registry.settings import PROJECT_ROOT

__all__ = ("HealthChecks", "missing_migrations")

_ID = re.compile(r'^ID = "([^"]+)"', re.M)
_NO_STORE = {"Cache-Control": "no-store"}


@cache
def _shipped_migrations() -> frozenset[str]:
    """The ids of the migrations this release ships (read from their files once)."""
    found = (_ID.search(p.read_text()) for p in (PROJECT_ROOT / "migrations").glob("m*.py"))
    return frozenset(m.group(1) for m in found if m)


async def missing_migrations() -> list[str]:
    """Migrations of this release the database has not had yet (``registry migrate`` applies them)."""
    rows: list[dict[str, Any]] = await engine().run_querystring(_applied())
    applied = {r["name"] for r in rows}
    return sorted(_shipped_migrations() - applied)


def _applied() -> Any:
    from piccolo.querystring import QueryString

    return QueryString("SELECT name FROM migration WHERE app_name = 'registry'")


class HealthChecks(Controller):
    include_in_schema = False

    @get("/health")
    async def health(self) -> Response[dict[str, str]]:
        """Liveness: the process serves requests (it does not touch the database)."""
        return Response({"status": "ok"}, headers=_NO_STORE)

    @get("/ready")
    async def ready(self) -> Response[dict[str, Any]]:
        """Readiness: the database answers and has every migration; 503 with the reason otherwise."""
        try:
            missing = await missing_migrations()
        except Exception as exc:  # any failure to reach the database means: send no traffic here
            return Response({"status": "unavailable", "detail": f"database: {type(exc).__name__}"}, status_code=503,
                            headers=_NO_STORE)  # fmt: skip
        if missing:
            detail = f"{len(missing)} migration(s) not applied: run registry migrate"
            return Response({"status": "unavailable", "detail": detail, "missing": missing}, status_code=503,
                            headers=_NO_STORE)  # fmt: skip
        return Response({"status": "ready"}, headers=_NO_STORE)
