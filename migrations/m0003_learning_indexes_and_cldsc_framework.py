"""Unique indexes Piccolo cannot declare portably, and the CLDSC framework loaded as data.

Piccolo's composite ``Unique`` emits ``ALTER TABLE ... ADD CONSTRAINT``, which SQLite rejects, so the
indexes are plain ``CREATE UNIQUE INDEX`` (notes/STACK.md §1.6). The competences come from
``registry/learning/frameworks/cldsc.csv``: the code never lists them.
"""

import csv
from datetime import UTC, datetime
from pathlib import Path

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-11-24T08:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "learning: unique indexes and the CLDSC competence framework"

FRAMEWORK_FILE = Path(__file__).resolve().parent.parent / "registry" / "learning" / "frameworks" / "cldsc.csv"


async def _load_framework() -> None:
    from registry.learning.tables import Framework

    with FRAMEWORK_FILE.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    first = rows[0]
    now = datetime.now(UTC)
    await Framework.raw(
        "INSERT INTO framework (code, name, description, is_default, created_at) VALUES ({}, {}, {}, {}, {})",
        first["framework_code"],
        first["framework_name"],
        "",
        True,
        now,
    )
    framework = await Framework.raw("SELECT id FROM framework WHERE code = {}", first["framework_code"])
    for position, row in enumerate(rows, start=1):
        await Framework.raw(
            "INSERT INTO competence (framework, code, title, kind, position) VALUES ({}, {}, {}, {}, {})",
            framework[0]["id"],
            row["code"],
            row["title"],
            row["kind"],
            position,
        )


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="registry", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl('CREATE UNIQUE INDEX competence_framework_code_uq ON "competence" ("framework", "code")')
        await engine.run_ddl(
            'CREATE UNIQUE INDEX learning_record_competence_uq ON "learning_record_competence" ("record", "competence")'
        )
        await _load_framework()

    async def run_backwards() -> None:
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl('DELETE FROM "competence"')
        await engine.run_ddl('DELETE FROM "framework"')
        await engine.run_ddl("DROP INDEX learning_record_competence_uq")
        await engine.run_ddl("DROP INDEX competence_framework_code_uq")

    manager.add_raw(run)
    manager.add_raw_backwards(run_backwards)
    return manager
