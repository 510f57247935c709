"""One registration summary told everywhere (issue 11, point 1): an associate who records ``applied`` keeps
their cycle in progress, the renewal pack and the renewal reminders; the weekly digest reads the cycle
running today, never a superseded row."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from registry import clock
from registry.accounts.rules import Role
from registry.cli_viewer import COMMAND_LINE
from registry.db import write_tx
from registry.learning.pack import build_pack
from registry.learning.progress import current_cycle
from registry.notify.digest import weekly_digests
from registry.notify.reminders import renewal_reminders
from registry.notify.tables import OutboxMessage
from registry.registration import service as registration
from registry.registration.schemas import RegistrationChangeIn
from tests.support import Alliance, as_viewer

ASSOCIATE_SINCE = date(2025, 5, 1)  # tests/support: Eilidh is an associate member since then
RENEWAL = date(2028, 5, 1)


async def _eilidh_applies(alliance: Alliance) -> int:
    """Eilidh, an associate, applies to become a registered member (recorded by a lead: counted at once)."""
    pid = alliance.practitioner_ids["eilidh@example.org"]
    await registration.record(
        as_viewer("lead@example.org", "Lead", Role.LEAD),
        pid,
        RegistrationChangeIn(status="applied", effective_from=date(2026, 1, 10)),
    )
    return pid


async def test_an_associate_who_applies_keeps_their_cycle_everywhere(
    alliance: Alliance, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid = await _eilidh_applies(alliance)
    day = date(2026, 6, 1)
    monkeypatch.setattr(clock, "today", lambda: day)
    summary = (await registration.summary_on([pid], day))[pid]
    assert (summary.status, summary.category, summary.cycle_start, summary.renewal_due) == (
        "applied", "associate_member", ASSOCIATE_SINCE, RENEWAL
    )  # fmt: skip
    cycle = await current_cycle(pid, day)
    assert cycle is not None
    assert (cycle.start, cycle.end) == (ASSOCIATE_SINCE, RENEWAL - timedelta(days=1))
    pack = await build_pack(as_viewer("eilidh@example.org", "Eilidh", Role.PRACTITIONER), pid)
    assert pack.renewal_due == RENEWAL
    assert pack.totals.start == ASSOCIATE_SINCE  # the cycle, not the financial year
    assert (await registration.get_registration(COMMAND_LINE, pid)).renewal_due == RENEWAL


async def test_renewal_reminders_reach_an_associate_who_has_applied(alliance: Alliance) -> None:
    await _eilidh_applies(alliance)
    assert await renewal_reminders(today=RENEWAL - timedelta(days=30)) >= 1
    sent = await OutboxMessage.select(OutboxMessage.body_text).where(
        (OutboxMessage.to_email == "eilidh@example.org") & (OutboxMessage.subject == "Your CLDSC registration renewal")
    )
    assert len(sent) == 1
    assert "1 May 2028" in sent[0]["body_text"]


async def test_the_digest_reads_the_cycle_running_today_not_a_superseded_row(alliance: Alliance) -> None:
    """Ross's old associate cycle would end within 90 days, but he has since registered for a new one."""
    ross = alliance.practitioner_ids["ross@example.org"]
    monday = date(2026, 6, 1)
    async with write_tx():
        await registration.append_change(
            ross, "associate", date(2023, 7, 1), renewal_due=monday + timedelta(days=40), recorded_by_email="hr"
        )
        await registration.append_change(
            ross, "registered", date(2026, 3, 1), renewal_due=date(2029, 3, 1), recorded_by_email="hr"
        )
    await weekly_digests(today=monday)
    digest = await OutboxMessage.select(OutboxMessage.body_text).where(OutboxMessage.to_email == "graham@example.org")
    assert digest, "Graham manages Ross and gets a digest"
    assert not any("Ross Walker" in m["body_text"] and "renewal due" in m["body_text"] for m in digest)
