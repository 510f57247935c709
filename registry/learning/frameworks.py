"""Competence frameworks as data: load one from a CSV file, rename a competence, choose the default."""

from __future__ import annotations

import logging
from pathlib import Path

from pydantic import BaseModel

from registry import clock
from registry.accounts.rules import Role, Viewer
from registry.csv_import import read_csv
from registry.db import write_tx
from registry.errors import Conflict, Forbidden, Invalid, NotFound
from registry.learning.tables import Competence, Framework

__all__ = (
    "BUILTIN_FRAMEWORK",
    "FrameworkOut",
    "import_framework",
    "list_frameworks",
    "load_builtin",
    "rename_competence",
    "set_default",
)

log = logging.getLogger(__name__)
BUILTIN_FRAMEWORK = Path(__file__).resolve().parent / "frameworks" / "cldsc.csv"
FRAMEWORK_COLUMNS = ("framework_code", "framework_name", "kind", "code", "title")


class CompetenceRow(BaseModel):
    id: int
    code: str
    title: str
    kind: str


class FrameworkOut(BaseModel):
    id: int
    code: str
    name: str
    is_default: bool
    competences: list[CompetenceRow]


def _require_admin(viewer: Viewer) -> None:
    if viewer.role is not Role.ADMIN:
        raise Forbidden("Only admins can change competence frameworks")


async def list_frameworks() -> list[FrameworkOut]:
    frameworks = await Framework.select(Framework.id, Framework.code, Framework.name, Framework.is_default).order_by(
        Framework.id
    )
    competences = await Competence.select(
        Competence.id, Competence.framework, Competence.code, Competence.title, Competence.kind
    ).order_by(Competence.position)
    return [
        FrameworkOut(
            **f,
            competences=[
                CompetenceRow(id=c["id"], code=c["code"], title=c["title"], kind=c["kind"])
                for c in competences
                if c["framework"] == f["id"]
            ],
        )
        for f in frameworks
    ]


async def import_framework(viewer: Viewer, text: str, make_default: bool = False) -> FrameworkOut:
    """Add a framework from ``framework_code,framework_name,kind,code,title`` (kind: competence or value)."""
    _require_admin(viewer)
    rows, problems = read_csv(text, FRAMEWORK_COLUMNS)
    codes: dict[str, int] = {}
    for row in rows:
        cells = row.cells
        for column in FRAMEWORK_COLUMNS:
            if not cells.get(column):
                problems.append(f"line {row.line}: {column}: is required")
        if cells.get("kind") and cells["kind"] not in {"competence", "value"}:
            problems.append(f"line {row.line}: kind: must be competence or value")
        if rows and cells.get("framework_code") != rows[0].cells.get("framework_code"):
            problems.append(f"line {row.line}: framework_code: one file holds one framework")
        for column, longest in (("framework_code", 40), ("framework_name", 200), ("code", 20), ("title", 300)):
            if len(cells.get(column, "")) > longest:
                problems.append(f"line {row.line}: {column}: must be {longest} characters or fewer")
        code = cells.get("code", "").upper()
        if code in codes:
            problems.append(f"line {row.line}: code: {code} appears twice in the file (also line {codes[code]})")
        codes.setdefault(code, row.line)
    if rows and not any(row.cells.get("kind") == "competence" for row in rows):
        problems.append("line 2: kind: a framework needs at least one competence to tag learning with")
    if problems:
        raise Invalid(problems, detail=f"{len(problems)} problem(s); nothing was imported")
    first = rows[0].cells
    async with write_tx():
        if await Framework.exists().where(Framework.code == first["framework_code"]):
            raise Conflict(f"A framework with code {first['framework_code']} already exists")
        if make_default:
            await Framework.update({Framework.is_default: False}, force=True)
        inserted = await Framework.insert(
            Framework(
                code=first["framework_code"],
                name=first["framework_name"],
                is_default=make_default,
                created_at=clock.now(),
            )
        ).returning(Framework.id)
        framework_id = inserted[0]["id"]
        await Competence.insert(
            *[
                Competence(
                    framework=framework_id,
                    code=row.cells["code"].upper(),
                    title=row.cells["title"],
                    kind=row.cells["kind"],
                    position=position,
                )
                for position, row in enumerate(rows, start=1)
            ]
        )
    log.info("%s added competence framework %s", viewer.email, first["framework_code"])
    return next(f for f in await list_frameworks() if f.id == framework_id)


async def load_builtin() -> None:
    """Load the CLDSC framework shipped with the project (what the migration does on a new database)."""
    from registry.cli_viewer import COMMAND_LINE

    await import_framework(COMMAND_LINE, BUILTIN_FRAMEWORK.read_text(encoding="utf-8"), make_default=True)


async def rename_competence(viewer: Viewer, competence_id: int, title: str) -> None:
    _require_admin(viewer)
    title = title.strip()
    if not title or len(title) > 300:
        raise Invalid({"title": "must be between 1 and 300 characters"})
    async with write_tx():
        if not await Competence.exists().where(Competence.id == competence_id):
            raise NotFound("No such competence")
        await Competence.update({Competence.title: title}).where(Competence.id == competence_id)
    log.info("%s renamed competence %s to %r", viewer.email, competence_id, title)


async def set_default(viewer: Viewer, framework_id: int) -> None:
    """The framework new learning is tagged against."""
    _require_admin(viewer)
    async with write_tx():
        if not await Framework.exists().where(Framework.id == framework_id):
            raise NotFound("No such framework")
        await Framework.update({Framework.is_default: False}, force=True)
        await Framework.update({Framework.is_default: True}).where(Framework.id == framework_id)
    log.info("%s made framework %s the default", viewer.email, framework_id)
