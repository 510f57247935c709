"""``registry export participation`` (INTERFACE.md, issue 14): every breakdown with its total, the totals those
of the metrics, no published count of people from 1 to 4, no column with a total left with one hidden cell,
and the export in the audit log."""

from __future__ import annotations

import csv
import io
import zipfile
from collections import defaultdict
from pathlib import Path

import anyio
import pytest
from litestar.testing import AsyncTestClient

from registry.accounts.rules import Role
from registry.audit import service as audit
from registry.exports import participation
from registry.exports.participation import BREAKDOWNS, COLUMNS
from registry.exports.responses import XLSX
from tests.integration.metrics_alliance import Built
from tests.integration.test_event_pages import sign_in_as
from tests.integration.test_metrics_api_cli_pages import _cli
from tests.support import Alliance, as_viewer, bearer

LEAD = as_viewer("lead@example.org", "Lead", Role.LEAD)


async def _rows(*args: str, tmp_path: Path) -> list[dict[str, str]]:
    out = tmp_path / "participation.csv"
    code, _, err = await _cli("export", "participation", "--output", str(out), *args)
    assert code == 0, err
    return list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))


async def test_every_breakdown_with_its_total_suppressed(
    client: AsyncTestClient,
    alliance: Alliance,
    metrics_alliance: Built,
    tmp_path: Path,  # type: ignore[type-arg]
) -> None:
    api = (await client.get("/api/v1/metrics?period=2025-26", headers=bearer(alliance.tokens["lead"]))).json()
    b2 = next(i for i in api["indicators"] if i["metric"] == "participation")
    rows = await _rows("--period", "2025-26", "--purpose", "partnership board", tmp_path=tmp_path)
    assert tuple(rows[0]) == COLUMNS
    by: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        by[row["breakdown"]].append(row)
    assert list(by) == [b.name for b in BREAKDOWNS]
    for name, table in by.items():
        total = table[-1]
        assert (total["key"], total["name"]) == ("total", "Total"), name
        # The total is the metrics' (B2 attendances; unique participants), unless it is itself small.
        assert total["attendances"] == (str(b2["value"]) if b2["value"] >= 5 else "<5")
        assert total["unique_participants"] in (str(b2["breakdown"]["unique_participants"]), "<5")
        for row in table:
            for column in ("attendances", "unique_participants"):
                assert row[column] == "<5" or not 1 <= int(row[column]) < 5, (name, row)
        divides = next(b for b in BREAKDOWNS if b.name == name).divides_attendances
        hidden = sum(r["attendances"] == "<5" for r in table[:-1])
        if divides and total["attendances"] != "<5":
            assert hidden != 1, (name, table)  # one hidden cell beside a total could be worked back
            published = sum(int(r["attendances"]) for r in table[:-1] if r["attendances"] != "<5")
            assert hidden or published == int(total["attendances"])
    logged, total_logged = await audit.entries(LEAD, audit.LogFilter(action="export"))
    assert total_logged == 1
    assert logged[0].subject == "participation"
    assert logged[0].details["purpose"] == "partnership board"
    assert logged[0].details["filters"]["period"] == "2025-26"


async def test_a_larger_k_hides_more_and_a_filter_narrows_to_the_attendees(
    client: AsyncTestClient,
    alliance: Alliance,
    metrics_alliance: Built,
    tmp_path: Path,  # type: ignore[type-arg]
) -> None:
    five = await _rows("--period", "2025-26", tmp_path=tmp_path)
    many = await _rows("--period", "2025-26", "--suppress", "50", tmp_path=tmp_path)
    assert sum(r["attendances"] == "<50" for r in many) >= sum(r["attendances"] == "<5" for r in five)
    assert not [r for r in many if r["attendances"] not in ("<50", "0") and int(r["attendances"]) < 50]
    fife = await _rows("--period", "2025-26", "--local-authority", "Fife", tmp_path=tmp_path)
    authorities = {r["key"] for r in fife if r["breakdown"] == "local_authority" and r["key"] != "total"}
    assert authorities <= {"Fife"}


async def test_the_workbook_and_bad_asks(client: AsyncTestClient, alliance: Alliance, tmp_path: Path) -> None:  # type: ignore[type-arg]
    out = tmp_path / "participation.xlsx"
    code, _, err = await _cli(
        "export", "participation", "--period", "2025-26", "--format", "xlsx", "--output", str(out)
    )
    assert code == 0, err
    with zipfile.ZipFile(out) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
    assert "<row" in sheet
    assert "breakdown" in book_strings(out)
    nothing = tmp_path / "nothing.csv"
    code, _, err = await _cli("export", "participation", "--period", "someday", "--output", str(nothing))
    assert code == 2
    assert "period" in err
    assert not nothing.exists()


def book_strings(path: Path) -> str:
    with zipfile.ZipFile(path) as book:
        names = book.namelist()
        return "".join(book.read(n).decode() for n in names if n.endswith(".xml"))


async def test_the_api_streams_the_same_file_and_refuses_whom_it_should(
    client: AsyncTestClient,
    alliance: Alliance,
    metrics_alliance: Built,
    tmp_path: Path,  # type: ignore[type-arg]
) -> None:
    lead = bearer(alliance.tokens["lead"])
    answer = await client.get("/api/v1/exports/participation?period=2025-26&purpose=board", headers=lead)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    assert 'filename="participation-2025-26.csv"' in answer.headers["content-disposition"]
    cli = await _rows("--period", "2025-26", tmp_path=tmp_path)
    assert list(csv.DictReader(io.StringIO(answer.text))) == cli
    book = await client.get("/api/v1/exports/participation?period=2025-26&format=xlsx", headers=lead)
    assert book.status_code == 200
    assert book.content[:2] == b"PK"  # a zip: the workbook
    # A partner admin gets their own organisation's attendees only, asked for or not.
    own = await client.get(
        "/api/v1/exports/participation?period=2025-26", headers=bearer(alliance.tokens["partner_admin"])
    )
    assert own.status_code == 200
    attendees = {r["key"] for r in csv.DictReader(io.StringIO(own.text)) if r["breakdown"] == "attendee_organisation"}
    assert attendees <= {"DCC", "total"}
    other = await client.get(
        "/api/v1/exports/participation?period=2025-26&organisation=FIFE",
        headers=bearer(alliance.tokens["partner_admin"]),
    )
    assert other.status_code == 403
    for role in ("practitioner", "manager"):
        refused = await client.get(
            "/api/v1/exports/participation?period=2025-26", headers=bearer(alliance.tokens[role])
        )
        assert refused.status_code == 403
    for bad in ("period=2025-99", "format=pdf", "suppress=1", "organisation=NOPE"):
        wrong = await client.get(f"/api/v1/exports/participation?{bad}", headers=lead)
        assert wrong.status_code == 400, bad
        assert wrong.json()["detail"]
    logged, total = await audit.entries(LEAD, audit.LogFilter(action="export"))
    assert total == 4  # the CSV, the CLI's, the workbook and the partner admin's: refusals record nothing
    assert {e.details["purpose"] for e in logged} == {"board", "command line", "API"}


async def test_the_export_page_asks_for_a_purpose_and_downloads_the_same_file(
    client: AsyncTestClient, alliance: Alliance, metrics_alliance: Built, tmp_path: Path  # type: ignore[type-arg]
) -> None:
    csrf = await sign_in_as(client, "lead@example.org")
    form = await client.get("/exports")
    assert form.status_code == 200
    assert 'name="purpose"' in form.text
    missing = await client.post("/exports", data={"_csrf_token": csrf, "kind": "participation", "format": "xml",
                                                  "period": "2025-26", "purpose": " "})  # fmt: skip
    assert missing.status_code == 400
    assert "Say what the file is for" in missing.text
    assert "Choose CSV or XLSX" in missing.text
    assert 'class="govuk-error-summary"' in missing.text
    bad_period = await client.post("/exports", data={"_csrf_token": csrf, "kind": "participation", "format": "csv",
                                                     "period": "2025-99", "purpose": "board"})  # fmt: skip
    assert bad_period.status_code == 400
    assert 'href="#period"' in bad_period.text
    assert (await audit.entries(LEAD, audit.LogFilter(action="export")))[1] == 0  # nothing recorded yet
    done = await client.post("/exports", data={"_csrf_token": csrf, "kind": "participation", "format": "csv",
                                               "period": "2025-26", "purpose": "board"})  # fmt: skip
    assert done.status_code == 200
    assert 'filename="participation-2025-26.csv"' in done.headers["content-disposition"]
    assert list(csv.DictReader(io.StringIO(done.text))) == await _rows("--period", "2025-26", tmp_path=tmp_path)
    xml = await client.post("/exports", data={"_csrf_token": csrf, "kind": "indicators", "format": "xml",
                                              "period": "2025-26", "purpose": "Pentana"})  # fmt: skip
    assert xml.status_code == 200
    assert xml.text.startswith("<?xml")
    logged, total = await audit.entries(LEAD, audit.LogFilter(action="export"))
    assert total == 3
    assert [e.details["purpose"] for e in logged] == ["Pentana", "command line", "board"]
    assert logged[0].actor_email == "lead@example.org"


async def test_the_page_and_the_api_send_the_same_workbook_and_delete_it_once_sent(
    client: AsyncTestClient,  # type: ignore[type-arg]
    alliance: Alliance,
    metrics_alliance: Built,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    made: list[str] = []
    temporary = participation.temporary_xlsx

    def remembered() -> str:
        made.append(temporary())
        return made[-1]

    monkeypatch.setattr(participation, "temporary_xlsx", remembered)
    api = await client.get(
        "/api/v1/exports/participation?period=2025-04-01..2025-09-30&format=xlsx",
        headers=bearer(alliance.tokens["lead"]),
    )
    csrf = await sign_in_as(client, "lead@example.org")
    page = await client.post("/exports", data={"_csrf_token": csrf, "kind": "participation", "format": "xlsx",
                                               "period": "2025-04-01..2025-09-30", "purpose": "board"})  # fmt: skip
    for answer in (api, page):
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"] == XLSX
        assert 'filename="participation-2025-04-01-to-2025-09-30.xlsx"' in answer.headers["content-disposition"]
    sheets = []
    for answer in (api, page):
        with zipfile.ZipFile(io.BytesIO(answer.content)) as book:
            sheets.append(book.read("xl/worksheets/sheet1.xml"))  # constant memory: strings inline
    assert sheets[0] == sheets[1]
    assert b"Total" in sheets[0]
    assert len(made) == 2
    assert not [path for path in made if await anyio.Path(path).exists()]  # removed once sent


def _table(rows: list[dict[str, str]], breakdown: str) -> list[tuple[str, ...]]:
    return [tuple(r.values())[1:] for r in rows if r["breakdown"] == breakdown]


async def test_the_period_breakdown_by_hand(
    client: AsyncTestClient,  # type: ignore[type-arg]
    alliance: Alliance,
    metrics_alliance: Built,
    tmp_path: Path,
) -> None:
    # k = 2 publishes every count of these small events, so the numbers can be read off metrics_alliance.py:
    # E5 at 00:30 BST on 1 April 2025 is April's (23:30 UTC on 31 March): Neil and Eilidh, 1.5 h each; E1 in
    # June: Graham and Amira, 2 h; E2 in September: Eilidh and Ross, 3 h. E3 was cancelled; E4 at 00:30 BST on
    # 1 April 2026 is in 2026-27, so not March's. Every other month is published as zeros.
    rows = await _rows("--period", "2025-26", "--suppress", "2", tmp_path=tmp_path)
    zero = ("0", "0", "0", "0")
    names = ("April", "May", "June", "July", "August", "September", "October", "November", "December")
    expected = [(f"2025-{n:02d}", f"{name} 2025", *zero) for n, name in enumerate(names, 4)]
    expected += [(f"2026-{n:02d}", f"{name} 2026", *zero) for n, name in enumerate(("January", "February", "March"), 1)]
    expected[0] = ("2025-04", "April 2025", "2", "2", "3", "1")
    expected[2] = ("2025-06", "June 2025", "2", "2", "4", "1")
    expected[5] = ("2025-09", "September 2025", "2", "2", "6", "1")
    # Five people, not six: Eilidh came in April and in September (so months do not divide people).
    expected.append(("total", "Total", "6", "5", "13", "3"))
    assert _table(rows, "period") == expected
    for breakdown in BREAKDOWNS:  # every breakdown's total is the same
        assert _table(rows, breakdown.name)[-1] == expected[-1], breakdown.name
    # A period of dates: its months, the first and last cut to it (E5 on 1 April is before 15 April).
    part = await _rows("--period", "2025-04-15..2025-06-30", "--suppress", "2", tmp_path=tmp_path)
    assert _table(part, "period") == [
        ("2025-04", "April 2025", *zero), ("2025-05", "May 2025", *zero), ("2025-06", "June 2025", "2", "2", "4", "1"),
        ("total", "Total", "2", "2", "4", "1"),
    ]  # fmt: skip
    # At k = 5 every month's 2 is hidden, its hours with it; the total of 6 is published.
    five = _table(await _rows("--period", "2025-26", tmp_path=tmp_path), "period")
    assert [r[2:5] for r in five if r[0] in ("2025-04", "2025-06", "2025-09")] == [("<5", "<5", "<5")] * 3
    assert five[-1] == ("total", "Total", "6", "5", "13", "3")
    # A partner admin's own organisation (DCC): Eilidh in April, Graham in June, Eilidh and Ross in September:
    # four attendances by three people. April's and June's 1 are under k = 2, hidden, hours with them; the two
    # hidden attendances sum to 4 − 2 = 2, which does not say which is which, so September stays published.
    own = await client.get(
        "/api/v1/exports/participation?period=2025-26&suppress=2", headers=bearer(alliance.tokens["partner_admin"])
    )
    dcc = _table(list(csv.DictReader(io.StringIO(own.text))), "period")
    assert [r for r in dcc if r[2] != "0"] == [
        ("2025-04", "April 2025", "<2", "<2", "<2", "1"), ("2025-06", "June 2025", "<2", "<2", "<2", "1"),
        ("2025-09", "September 2025", "2", "2", "6", "1"), ("total", "Total", "4", "3", "9.5", "3"),
    ]  # fmt: skip


def _post(csrf: str, **fields: str) -> dict[str, str]:
    return {"_csrf_token": csrf, "kind": "participation", "format": "csv", "period": "2025-26", "purpose": "board",
            **fields}  # fmt: skip


async def test_a_lead_chooses_an_organisation_a_local_authority_and_k_on_the_page(
    client: AsyncTestClient,  # type: ignore[type-arg]
    alliance: Alliance,
    metrics_alliance: Built,
    tmp_path: Path,
) -> None:
    csrf = await sign_in_as(client, "lead@example.org")
    form = (await client.get("/exports")).text
    assert '<option value="">All organisations</option>' in form
    assert '<option value="FIFE">Fife Council</option>' in form
    assert '<option value="">All local authorities</option>' in form
    assert '<option value="Fife">Fife</option>' in form
    assert 'name="suppress"' in form
    assert 'value="5"' in form
    assert "your own organisation only" not in form
    fife = await client.post("/exports", data=_post(csrf, organisation="FIFE", suppress="2"))
    assert fife.status_code == 200, fife.text
    by_hand = await _rows("--period", "2025-26", "--organisation", "FIFE", "--suppress", "2", tmp_path=tmp_path)
    assert list(csv.DictReader(io.StringIO(fife.text))) == by_hand
    # Amira is FIFE's one attendee in 2025-26: at k = 2 she is hidden, at the default k she is too.
    assert _table(by_hand, "attendee_organisation") == [
        ("FIFE", "Fife Council", "<2", "<2", "<2", "1"), ("total", "Total", "<2", "<2", "<2", "1"),
    ]  # fmt: skip
    authority = await client.post("/exports", data=_post(csrf, local_authority="Fife", format="xlsx"))
    assert authority.status_code == 200
    assert authority.content[:2] == b"PK"
    indicators = await client.post(
        "/exports", data=_post(csrf, kind="indicators", organisation="DCC", suppress="10", purpose="Pentana")
    )
    assert indicators.status_code == 200, indicators.text
    logged, _ = await audit.entries(LEAD, audit.LogFilter(action="export"))
    page_made = [e for e in logged if e.actor_email == "lead@example.org"]
    assert [(e.subject, e.details["filters"]["organisation"], e.details["filters"]["local_authority"],
             e.details["suppress"]) for e in page_made] == [
        ("indicators", "DCC", None, 10), ("participation", None, "Fife", 5), ("participation", "FIFE", None, 2),
    ]  # fmt: skip
    # What is wrong, each in the error summary linking to its field; nothing is recorded.
    for fields, field, words in [
        ({"suppress": "1"}, "suppress", "Enter a whole number from 2 to 100"),
        ({"suppress": "101"}, "suppress", "Enter a whole number from 2 to 100"),
        ({"suppress": "five"}, "suppress", "Enter a whole number from 2 to 100"),
        ({"suppress": "-3"}, "suppress", "Enter a whole number from 2 to 100"),
        ({"organisation": "NOPE"}, "organisation", "NOPE is not an organisation of the alliance"),
        ({"organisation": "FIFE", "local_authority": "Dundee City"}, "organisation", "FIFE is not in Dundee City"),
        ({"local_authority": "Atlantis"}, "local_authority", "No organisation of the alliance is in Atlantis"),
    ]:
        wrong = await client.post("/exports", data=_post(csrf, **fields))
        assert wrong.status_code == 400, fields
        assert 'class="govuk-error-summary"' in wrong.text
        assert f'href="#{field}"' in wrong.text, fields
        assert words in wrong.text, fields
    assert (await audit.entries(LEAD, audit.LogFilter(action="export")))[1] == len(logged)


async def test_a_partner_admin_exports_their_own_organisation_and_cannot_forge_another(
    client: AsyncTestClient,  # type: ignore[type-arg]
    alliance: Alliance,
    metrics_alliance: Built,
) -> None:
    csrf = await sign_in_as(client, "admin.dcc@example.org")
    form = (await client.get("/exports")).text
    assert "The export covers your own organisation only" in form
    assert 'name="organisation"' not in form
    assert 'name="local_authority"' not in form
    own = await client.post("/exports", data=_post(csrf, suppress="2"))
    assert own.status_code == 200
    api = await client.get(
        "/api/v1/exports/participation?period=2025-26&suppress=2", headers=bearer(alliance.tokens["partner_admin"])
    )
    assert own.text == api.text
    assert {r["key"] for r in csv.DictReader(io.StringIO(own.text)) if r["breakdown"] == "attendee_organisation"} == {
        "DCC", "total"
    }  # fmt: skip
    # Their own organisation named is what they get anyway (as the API answers it).
    named = await client.post("/exports", data=_post(csrf, organisation="dcc", suppress="2"))
    assert named.status_code == 200
    assert named.text == own.text
    # A forged field for another organisation or a local authority is refused as the API refuses it: 403, no file.
    for forged, query in [({"organisation": "FIFE"}, "organisation=FIFE"),
                          ({"local_authority": "Fife"}, "local_authority=Fife"),
                          ({"kind": "indicators", "organisation": "FIFE"}, "organisation=FIFE")]:  # fmt: skip
        refused = await client.post("/exports", data=_post(csrf, **forged))
        assert refused.status_code == 403, forged
        assert "Partner admins see their own organisation" in refused.text
        assert 'class="govuk-error-summary"' in refused.text
        assert "content-disposition" not in refused.headers
        from_api = await client.get(
            f"/api/v1/exports/participation?period=2025-26&{query}", headers=bearer(alliance.tokens["partner_admin"])
        )
        assert from_api.status_code == 403
    logged, total = await audit.entries(LEAD, audit.LogFilter(action="export"))
    assert total == 3  # the page's two files and the API's: refusals record nothing
    assert {e.details["filters"]["organisation"] for e in logged} == {"DCC"}
