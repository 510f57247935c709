"""Materials of an event (issue 15, point 4): the host adds links and files up to 10 MB (kept in the database),
those who attended see and download them, nobody else does; removing asks first."""

from __future__ import annotations

from datetime import date, timedelta

from litestar.testing import AsyncTestClient

from registry.cli_viewer import COMMAND_LINE
from registry.events import bookings
from registry.events.materials import MAX_BYTES
from registry.events.schemas import AttendanceItem
from registry.events.tables import EventMaterial
from tests.integration.test_event_pages import add_practitioner_sign_in, book_for, make_event, sign_in_as
from tests.support import Alliance, StoppedClock

Client = AsyncTestClient  # type: ignore[type-arg]
PDF = b"%PDF-1.4 slides " + bytes(range(256)) * 40


async def _held_event(alliance: Alliance, clock: StoppedClock) -> tuple[int, int]:
    event = await make_event("Facilitation skills", date(2026, 11, 20))
    came = await book_for(alliance, event.id, "eilidh@example.org")
    await book_for(alliance, event.id, "ross@example.org")
    clock.advance(timedelta(days=2))
    await bookings.set_attendance(COMMAND_LINE, event.id, [AttendanceItem(booking_id=came, attended=True)])
    return event.id, came


async def test_the_host_adds_materials_and_only_those_who_attended_get_them(
    client: Client, alliance: Alliance, fixed_clock: StoppedClock
) -> None:
    event_id, _ = await _held_event(alliance, fixed_clock)
    csrf = await sign_in_as(client, "admin.dcc@example.org")
    bad = await client.post(
        f"/events/{event_id}/materials/links", data={"_csrf_token": csrf, "title": "", "url": "javascript:alert(1)"}
    )
    assert bad.status_code == 400
    assert "Give the material a title" in bad.text
    assert "Enter a web address that starts with https://" in bad.text
    await client.post(
        f"/events/{event_id}/materials/links",
        data={"_csrf_token": csrf, "title": "Recording", "url": "https://video.example.org/session"},
    )
    uploaded = await client.post(
        f"/events/{event_id}/materials/files", data={"_csrf_token": csrf, "file_title": ""},
        files={"file": ("slides.pdf", PDF, "application/pdf")}, follow_redirects=False,
    )  # fmt: skip
    assert uploaded.status_code in {302, 303}
    await client.post(
        f"/events/{event_id}/materials/files", data={"_csrf_token": csrf, "file_title": "Page"},
        files={"file": ("page.html", b"<script>alert(1)</script>", "text/html")},
    )  # fmt: skip
    rows = await EventMaterial.select(EventMaterial.id, EventMaterial.title, EventMaterial.media_type).order_by(
        EventMaterial.id
    )
    assert [(r["title"], r["media_type"]) for r in rows] == [
        ("Recording", None), ("slides.pdf", "application/pdf"), ("Page", "application/octet-stream"),
    ]  # fmt: skip
    slides, page = rows[1]["id"], rows[2]["id"]

    await sign_in_as(client, "eilidh@example.org")  # she attended
    event_page = (await client.get(f"/events/{event_id}")).text
    assert 'href="https://video.example.org/session"' in event_page
    assert f'href="/events/{event_id}/materials/{slides}"' in event_page
    got = await client.get(f"/events/{event_id}/materials/{slides}")
    assert got.content == PDF
    assert got.headers["content-type"].startswith("application/pdf")
    assert got.headers["content-disposition"] == 'attachment; filename="slides.pdf"'
    html = await client.get(f"/events/{event_id}/materials/{page}")
    assert html.headers["content-type"].startswith("application/octet-stream")  # never run as a page

    await add_practitioner_sign_in("ross@example.org", "Ross")
    await sign_in_as(client, "ross@example.org")  # booked, but did not come
    assert "Recording" not in (await client.get(f"/events/{event_id}")).text
    assert (await client.get(f"/events/{event_id}/materials/{slides}")).status_code == 404
    await sign_in_as(client, "graham@example.org")  # Eilidh's manager: not the host, did not attend
    assert (await client.get(f"/events/{event_id}/materials/{slides}")).status_code == 404


async def test_a_file_over_10_mb_is_refused_and_removing_asks_first(
    client: Client, alliance: Alliance, fixed_clock: StoppedClock
) -> None:
    event_id, _ = await _held_event(alliance, fixed_clock)
    csrf = await sign_in_as(client, "admin.dcc@example.org")
    big = await client.post(
        f"/events/{event_id}/materials/files", data={"_csrf_token": csrf},
        files={"file": ("big.pdf", b"x" * (MAX_BYTES + 1), "application/pdf")},
    )  # fmt: skip
    assert big.status_code == 400
    assert "The file must be smaller than 10 MB" in big.text
    empty = await client.post(f"/events/{event_id}/materials/files", data={"_csrf_token": csrf})
    assert empty.status_code == 400
    assert "Choose a file to upload" in empty.text
    assert await EventMaterial.count() == 0
    exact = await client.post(
        f"/events/{event_id}/materials/files", data={"_csrf_token": csrf},
        files={"file": ("ten.pdf", b"x" * MAX_BYTES, "application/pdf")}, follow_redirects=False,
    )  # fmt: skip
    assert exact.status_code in {302, 303}  # 10 MB exactly is allowed
    [row] = await EventMaterial.select(EventMaterial.id, EventMaterial.size)
    assert row["size"] == MAX_BYTES
    confirm = await client.get(f"/events/{event_id}/materials/{row['id']}/remove")
    assert "Are you sure you want to remove “ten.pdf”?" in confirm.text
    await client.post(f"/events/{event_id}/materials/{row['id']}/remove", data={"_csrf_token": csrf})
    assert await EventMaterial.count() == 0
