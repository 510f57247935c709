"""``registry backup FILE`` and ``registry restore FILE`` (issue 16, point 6): a round trip on the engine the
suite runs (SQLite's online backup API, or pg_dump and pg_restore), and a file that is no backup refused
before anything is touched."""

from __future__ import annotations

from pathlib import Path

from registry.audit import service as audit
from registry.audit.tables import AuditEntry
from registry.people.tables import Organisation, Practitioner
from tests.integration.test_metrics_api_cli_pages import _cli
from tests.support import Alliance


async def test_a_backup_restores_the_database_as_it_was(alliance: Alliance, tmp_path: Path) -> None:
    before = sorted(r["email"] for r in await Practitioner.select(Practitioner.email))
    await audit.record(None, "test.backup", summary="made before the backup")
    file = tmp_path / "registry.backup"
    code, out, err = await _cli("backup", str(file))
    assert code == 0, err
    assert out.startswith(f"backed up to {file}")
    assert file.stat().st_size > 0

    await Organisation.insert(Organisation(code="LATER", name="Added after the backup", kind="voluntary"))
    await Practitioner.delete().where(Practitioner.email == "ross@example.org")
    code, out, err = await _cli("restore", str(file))
    assert code == 0, err
    assert out.startswith("restored")
    assert sorted(r["email"] for r in await Practitioner.select(Practitioner.email)) == before
    assert not await Organisation.exists().where(Organisation.code == "LATER")
    assert await AuditEntry.exists().where(AuditEntry.action == "test.backup")


async def test_restoring_what_is_not_a_backup_changes_nothing(alliance: Alliance, tmp_path: Path) -> None:
    bogus = tmp_path / "notes.txt"
    bogus.write_text("not a database at all\n")
    count = await Practitioner.count()
    code, _, err = await _cli("restore", str(bogus))
    assert code == 2
    assert "is not a backup" in err
    code, _, err = await _cli("restore", str(tmp_path / "missing.backup"))
    assert code == 2
    assert "there is no backup file at" in err
    assert await Practitioner.count() == count
