"""The home page per role (issue 15, point 1): what needs the person now, each item linking to where it is
done — a practitioner's next bookings, hours, renewal and returned learning; a manager's approvals and
verifications; a partner admin's drafts, attendance to mark and claims; an admin's undelivered mail."""

from __future__ import annotations

import re
from datetime import date, timedelta

from litestar.testing import AsyncTestClient

from registry.accounts.rules import Role
from registry.db import write_tx
from registry.learning import service as learning
from registry.learning import verification
from registry.learning.schemas import LearningRecordIn
from registry.notify import outbox
from registry.notify.tables import OutboxMessage
from registry.registration import service as registration
from registry.registration.schemas import RegistrationChangeIn
from tests.integration.test_event_pages import book_for, make_event, sign_in_as
from tests.support import Alliance, StoppedClock, as_viewer

Client = AsyncTestClient  # type: ignore[type-arg]
EILIDH = as_viewer("eilidh@example.org", "Eilidh", Role.PRACTITIONER)
GRAHAM = as_viewer("graham@example.org", "Graham", Role.MANAGER)


def _items(html: str, key: str) -> list[tuple[str, str]]:
    section = html[html.index(f'data-key="{key}"') :]
    section = section[: section.index("</section>")]
    return re.findall(r'<li data-testid="home-item"[^>]*>\s*<a class="[^"]*" href="([^"]+)">([^<]+)</a>', section)


async def test_a_practitioner_sees_bookings_hours_renewal_and_what_came_back(
    client: Client, alliance: Alliance, fixed_clock: StoppedClock
) -> None:
    pid = alliance.practitioner_ids["eilidh@example.org"]
    event = await make_event("Youth work forum", date(2026, 12, 10))
    await book_for(alliance, event.id, "eilidh@example.org")
    soon = await make_event("Tomorrow's session", date(2026, 11, 20))
    await book_for(alliance, soon.id, "eilidh@example.org")
    fixed_clock.advance(timedelta(days=2))  # tomorrow's session is over: not "next" any more
    record = await learning.create_record(
        EILIDH, pid, LearningRecordIn(title="Trauma-informed practice", kind="course", completed_on="2026-10-02",
                                      hours=6, competences=["C2"]),
    )  # fmt: skip
    await verification.request_verification(EILIDH, pid, record.id, "graham@example.org")
    await verification.return_record(GRAHAM, record.id, "Say what you will change.")

    await sign_in_as(client, "eilidh@example.org")
    html = (await client.get("/")).text
    assert _items(html, "bookings") == [(f"/events/{event.id}", "Youth work forum")]
    assert "Booked · Thursday 10 December 2026, 10" in html
    learning_items = _items(html, "learning")
    assert learning_items[0][0] == f"/practitioners/{pid}/learning"
    assert re.fullmatch(r"[\d.]+ of [\d.]+ hours", learning_items[0][1])
    assert (f"/practitioners/{pid}/learning/{record.id}", "Returned to you: Trauma-informed practice") in learning_items
    [(href, text)] = _items(html, "registration")
    assert href == f"/practitioners/{pid}/registration"
    assert re.fullmatch(r"Renewal due in \d+ days", text)
    assert 'data-key="hosting"' not in html  # not a host
    assert 'data-key="team"' not in html  # nothing waits for her


async def test_a_manager_sees_approvals_and_verifications_waiting(
    client: Client, alliance: Alliance, fixed_clock: StoppedClock
) -> None:
    pid = alliance.practitioner_ids["eilidh@example.org"]
    event = await make_event("Approval needed", date(2026, 12, 11), requires_approval=True)
    await book_for(alliance, event.id, "eilidh@example.org")
    record = await learning.create_record(
        EILIDH, pid, LearningRecordIn(title="Reading", kind="professional_reading", completed_on="2026-10-03", hours=1,
                                      competences=["C7"]),
    )  # fmt: skip
    await verification.request_verification(EILIDH, pid, record.id, "graham@example.org")
    await sign_in_as(client, "graham@example.org")
    html = (await client.get("/")).text
    team = _items(html, "team")
    assert ("/bookings?team=1", "1 booking to approve") in team
    assert ("/verification", "1 learning record to verify") in team
    assert 'data-key="learning"' in html  # Graham is a practitioner too


async def test_a_partner_admin_sees_their_drafts_attendance_to_mark_and_claims(
    client: Client, alliance: Alliance, fixed_clock: StoppedClock
) -> None:
    draft = await make_event("Draft at DCC", date(2026, 12, 12), status="draft")
    await make_event("Draft at Fife", date(2026, 12, 12), status="draft", host_organisation="FIFE")
    held = await make_event("Held yesterday", date(2026, 11, 20))
    await book_for(alliance, held.id, "eilidh@example.org")
    fixed_clock.advance(timedelta(days=2))  # the session has been held; nobody has marked attendance
    claim = RegistrationChangeIn.model_validate(
        {"status": "registered", "effective_from": "2026-01-10", "membership_number": "CLDSC20002"}
    )
    await registration.record_change(EILIDH, alliance.practitioner_ids["eilidh@example.org"], claim)
    await sign_in_as(client, "admin.dcc@example.org")
    hosting = _items((await client.get("/")).text, "hosting")
    assert (f"/events/{draft.id}", "Publish: Draft at DCC") in hosting
    assert (f"/events/{held.id}/attendance", "Mark attendance: Held yesterday") in hosting
    assert ("/registration-claims", "1 registration to confirm") in hosting
    assert all("Fife" not in text for _, text in hosting)


async def test_an_admin_sees_mail_that_could_not_be_delivered_and_an_empty_home_says_so(
    client: Client, alliance: Alliance
) -> None:
    await sign_in_as(client, "lead@example.org")
    html = (await client.get("/")).text
    assert "Nothing needs you right now." in html
    assert "No events need attendance or publishing." in html

    await sign_in_as(client, "admin@example.org")
    assert all("could not be delivered" not in t for _, t in _items((await client.get("/")).text, "hosting"))
    async with write_tx():
        await outbox.enqueue("nobody@example.org", "Hello", "Hello", "<p>Hello</p>")
    await OutboxMessage.update({OutboxMessage.status: "failed"}).where(OutboxMessage.to_email == "nobody@example.org")
    hosting = _items((await client.get("/")).text, "hosting")
    assert ("/admin/outbox", "1 message could not be delivered") in hosting
