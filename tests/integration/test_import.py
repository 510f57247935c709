"""HR imports from the command line and the upload page: all rows or none, every problem reported."""

from __future__ import annotations

from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from registry.cli import main
from registry.people.tables import Organisation, Practitioner
from registry.registration.tables import CldscRegistration
from tests.integration.test_sign_in import sign_in
from tests.support import ORGANISATIONS_CSV, PRACTITIONERS_CSV, Alliance

Client = AsyncTestClient  # type: ignore[type-arg]
HEADER = "email,given_name,family_name,organisation,contract,weekly_hours,started_on,left_on,cldsc_status"


def _write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


async def _cli(*args: str) -> int:
    """Run the command in a worker thread: it has its own event loop, as it does from a shell."""
    import anyio.to_thread

    return await anyio.to_thread.run_sync(main, list(args))


async def test_cli_imports_organisations_then_practitioners(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert await _cli("import", "organisations", _write(tmp_path, "o.csv", ORGANISATIONS_CSV)) == 0
    assert await _cli("import", "practitioners", _write(tmp_path, "p.csv", PRACTITIONERS_CSV)) == 0
    out = capsys.readouterr().out
    assert "organisations: 3 created, 0 updated" in out
    assert "practitioners: 6 created, 0 updated" in out
    assert await Practitioner.count() == 6
    assert await CldscRegistration.count() == 4  # Graham, Eilidh, Amira, Neil; not Ross (none) nor the leaver


async def test_cli_import_with_bad_rows_writes_nothing_and_reports_every_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await _cli("import", "organisations", _write(tmp_path, "o.csv", ORGANISATIONS_CSV))
    bad = (
        f"{HEADER}\n"
        "good@example.org,Good,Row,DCC,full_time,35,2020-01-01,,registered\n"
        "bad-email,Bad,Email,DCC,full_time,35,2020-01-01,,\n"
        "x@example.org,Unknown,Org,ZZZ,full_time,35,2020-01-01,,\n"
        "good@example.org,Dupe,Email,DCC,full_time,35,2020-01-01,,\n"
        "h@example.org,Many,Hours,DCC,full_time,lots,2020-01-01,,\n"
        "i@example.org,Too,Many,DCC,full_time,61,2020-01-01,,\n"
        "c@example.org,Bad,Contract,DCC,zero_hours,10,2020-01-01,,\n"
        "d@example.org,Bad,Date,DCC,full_time,10,01/02/2020,,\n"
        "e@example.org,Left,Early,DCC,full_time,10,2020-01-01,2019-01-01,\n"
        "f@example.org,Bad,Status,DCC,full_time,10,2020-01-01,,gold\n"
    )
    assert await _cli("import", "practitioners", _write(tmp_path, "p.csv", bad)) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[:-1] == [
        "line 3: email: must be an email address like name@example.org",
        "line 4: organisation: unknown organisation ZZZ",
        "line 5: email: good@example.org appears twice in the file (also line 2)",
        "line 6: weekly_hours: must be a number",
        "line 7: weekly_hours: must be 60 or less",
        "line 8: contract: must be one of full_time, part_time, sessional or volunteer",
        "line 9: started_on: must be a date like 2025-04-01",
        "line 10: left_on: must be on or after started_on",
        "line 11: cldsc_status: must be one of none, applied, registered, associate, lapsed",
    ]
    assert err[-1] == "registry: 9 problem(s); nothing was imported"
    assert await Practitioner.count() == 0
    assert await CldscRegistration.count() == 0


async def test_cli_import_missing_file_and_missing_columns_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await _cli("import", "practitioners", str(tmp_path / "nope.csv")) == 2
    assert "no such file" in capsys.readouterr().err
    assert await _cli("import", "organisations", _write(tmp_path, "o.csv", "code,name\nX,Y\n")) == 2
    assert capsys.readouterr().err.strip() == "registry: line 1: header: missing column kind"
    assert await Organisation.count() == 0


async def test_reimport_updates_by_email_marks_leavers_and_restores_them(alliance: Alliance, tmp_path: Path) -> None:
    changed = (
        f"{HEADER}\n"
        "EILIDH@example.org,Eilidh,Morrison-Grant,DCC,full_time,35,2020-02-03,,associate\n"
        "ross@example.org,Ross,Walker,DCC,sessional,6,2022-09-01,2026-01-31,\n"
    )
    assert await _cli("import", "practitioners", _write(tmp_path, "p.csv", changed)) == 0
    eilidh = await Practitioner.select().where(Practitioner.email == "eilidh@example.org").first()
    assert eilidh is not None
    assert (eilidh["family_name"], eilidh["contract"], eilidh["weekly_hours"]) == ("Morrison-Grant", "full_time", 35)
    assert await Practitioner.count() == 6  # nobody added, nobody deleted
    ross = await Practitioner.select(Practitioner.left_on).where(Practitioner.email == "ross@example.org").first()
    assert ross is not None
    assert str(ross["left_on"]) == "2026-01-31"
    # Same status as recorded: no new history row.
    assert await CldscRegistration.count().where(CldscRegistration.practitioner == eilidh["id"]) == 1
    back = f"{HEADER}\nross@example.org,Ross,Walker,DCC,sessional,6,2022-09-01,,registered\n"
    assert await _cli("import", "practitioners", _write(tmp_path, "p2.csv", back)) == 0
    ross = (
        await Practitioner.select(Practitioner.left_on, Practitioner.id)
        .where(Practitioner.email == "ross@example.org")
        .first()
    )
    assert ross is not None
    assert ross["left_on"] is None
    assert await CldscRegistration.count().where(CldscRegistration.practitioner == ross["id"]) == 1


async def _upload(client: Client, kind: str, name: str, text: str):  # type: ignore[no-untyped-def]
    page = await client.get("/import")
    assert page.status_code == 200
    return await client.post(
        "/import",
        data={"kind": kind, "_csrf_token": client.cookies["csrftoken"]},
        files={"file": (name, text.encode(), "text/csv")},
    )


async def test_upload_page_shows_every_problem_then_imports_the_fixed_file(client: Client, alliance: Alliance) -> None:
    await sign_in(client, "lead@example.org")
    bad = f"{HEADER}\nnew1@example.org,New,One,DCC,part_time,20,2025-01-06,,\nnew2@example.org,New,Two,DCC,part_time,75,2025-01-06,,\n"
    response = await _upload(client, "practitioners", "hr.csv", bad)
    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert "The file has 1 problem(s). Nothing was imported." in response.text
    assert "line 3: weekly_hours: must be 60 or less" in response.text
    assert await Practitioner.count() == 6
    fixed = bad.replace(",75,", ",25,")
    response = await _upload(client, "practitioners", "hr.csv", fixed)
    assert response.status_code == 200
    assert 'data-testid="import-result">hr.csv imported: 2 created, 0 updated</h3>' in response.text
    assert await Practitioner.count() == 8


async def test_a_partner_admin_imports_only_their_own_organisation(client: Client, alliance: Alliance) -> None:
    await sign_in(client, "admin.dcc@example.org")
    other = f"{HEADER}\nnew@example.org,New,Fifer,FIFE,part_time,20,2025-01-06,,\n"
    response = await _upload(client, "practitioners", "hr.csv", other)
    assert "line 2: organisation: you can only import practitioners of your own organisation" in response.text
    takeover = f"{HEADER}\namira@example.org,Amira,Malik,DCC,full_time,37,2019-04-01,,\n"
    response = await _upload(client, "practitioners", "hr.csv", takeover)
    assert response.status_code == 400
    assert "amira@example.org belong(s) to another organisation" in response.text
    organisations = await _upload(client, "organisations", "o.csv", ORGANISATIONS_CSV)
    assert organisations.status_code == 403
    assert await Practitioner.count().where(Practitioner.organisation.code == "DCC") == 4


async def test_upload_page_validates_the_file_itself(client: Client, alliance: Alliance) -> None:
    await sign_in(client, "lead@example.org")
    response = await client.post("/import", data={"kind": "practitioners", "_csrf_token": client.cookies["csrftoken"]})
    assert response.status_code == 400
    assert "Select a CSV file" in response.text
    latin1 = await client.post(
        "/import",
        data={"kind": "practitioners", "_csrf_token": client.cookies["csrftoken"]},
        files={"file": ("hr.csv", "email\nmàiri@example.org\n".encode("latin-1"), "text/csv")},
    )
    assert "must be a CSV saved as UTF-8" in latin1.text
    empty = await _upload(client, "organisations", "o.csv", "")
    assert "line 1: header: the file is empty or has no header row" in empty.text
