"""Large and odd files on the import page (issue 15, point 7): a file over the limit gets the import page back
with a clear message whatever its size (never a bare error page), and an import with thousands of bad rows
shows the first 100 and a count, with every problem as a CSV its uploader can download from any instance."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

from litestar.testing import AsyncTestClient

from registry import jobs
from registry.people.tables import ImportReport, Practitioner
from tests.integration.test_event_pages import sign_in_as
from tests.support import Alliance, StoppedClock

Client = AsyncTestClient  # type: ignore[type-arg]
HEADER = "email,given_name,family_name,organisation,contract,weekly_hours,started_on\n"


async def test_a_file_over_the_limit_gets_the_page_back_with_what_to_do(client: Client, alliance: Alliance) -> None:
    csrf = await sign_in_as(client, "lead@example.org")
    for size in (6 * 1024 * 1024, 12 * 1024 * 1024):  # over the import's limit, and over the server's body limit
        answer = await client.post(
            "/import", data={"_csrf_token": csrf, "kind": "practitioners"},
            files={"file": ("big.csv", HEADER.encode() + b"x" * size, "text/csv")},
        )  # fmt: skip
        assert answer.status_code in {400, 413}, size
        assert "Import from a spreadsheet" in answer.text
        assert "The selected file must be smaller than 5 MB" in answer.text
        assert "govuk-error-summary" in answer.text
        assert f'name="_csrf_token" value="{csrf}"' in answer.text  # the form on it works straight away


async def test_thousands_of_bad_rows_show_the_first_100_and_all_as_csv(
    client: Client, alliance: Alliance, stopped_clock: StoppedClock
) -> None:
    rows = "".join(f"person{n}@example.org,P,{n},NOPE,full_time,35,2024-01-01\n" for n in range(2500))
    before = await Practitioner.count()
    csrf = await sign_in_as(client, "lead@example.org")
    page = await client.post(
        "/import", data={"_csrf_token": csrf, "kind": "practitioners"},
        files={"file": ("people.csv", (HEADER + rows).encode(), "text/csv")},
    )  # fmt: skip
    assert page.status_code == 400
    assert page.text.count("<li>line ") == 100
    assert "and 2,400 more." in page.text
    assert await Practitioner.count() == before  # all or nothing
    link = re.search(r'href="(/import/problems/[^"]+)"', page.text)
    assert link is not None
    download = await client.get(link[1])
    assert download.status_code == 200
    problems = list(csv.DictReader(io.StringIO(download.text)))
    assert len(problems) == 2500
    assert problems[0]["line"] == "2"
    assert problems[0]["column"] == "organisation"
    assert "NOPE" in problems[0]["problem"]

    await sign_in_as(client, "admin.dcc@example.org")  # someone else: not theirs
    assert (await client.get(link[1])).status_code == 404
    stopped_clock.advance(timedelta(days=1, minutes=1))
    assert await jobs.clean_up_import_reports() == "1 import report(s) deleted"
    assert await ImportReport.count() == 0


async def test_a_few_bad_rows_are_all_listed_without_a_download(client: Client, alliance: Alliance) -> None:
    csrf = await sign_in_as(client, "lead@example.org")
    page = await client.post(
        "/import", data={"_csrf_token": csrf, "kind": "practitioners"},
        files={"file": ("people.csv", (HEADER + "bad,P,Q,NOPE,full_time,35,2024-01-01\n").encode(), "text/csv")},
    )  # fmt: skip
    assert page.status_code == 400
    assert 'data-testid="more-problems"' not in page.text
    assert await ImportReport.count() == 0
