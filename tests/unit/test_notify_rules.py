"""Pure parts of notification: mail URLs, backoff, and the iCalendar builder read by an independent parser."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import vobject
from icalendar import Calendar, Timezone

from registry.notify import ical
from registry.notify.ical import InviteDetails, Session, build_calendar, session_summary, session_uid
from registry.notify.mail import FileBackend, SmtpBackend, backend_for
from registry.notify.outbox import backoff
from registry.settings import PROJECT_ROOT

LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("file://var/outbox", FileBackend(PROJECT_ROOT / "var/outbox")),
        ("file:///srv/mail", FileBackend(PROJECT_ROOT.__class__("/srv/mail"))),
        ("smtp://mail.example.org", SmtpBackend("mail.example.org", 25, None, None, use_tls=False, start_tls=False)),
        ("smtp+starttls://u%40x:p%3Ass@smtp.example.org:587",
         SmtpBackend("smtp.example.org", 587, "u@x", "p:ss", use_tls=False, start_tls=True)),
        ("smtps://u:p@smtp.example.org", SmtpBackend("smtp.example.org", 465, "u", "p", use_tls=True, start_tls=False)),
    ],
)  # fmt: skip
def test_mail_urls(url: str, expected: object) -> None:
    assert backend_for(url) == expected


@pytest.mark.parametrize("url", ["http://x", "smtp://", "mailto:someone"])
def test_bad_mail_urls_are_refused(url: str) -> None:
    with pytest.raises(ValueError, match=r"REGISTRY_MAIL_URL|host"):
        backend_for(url)


def test_backoff_doubles() -> None:
    assert [backoff(n) for n in (1, 2, 3, 4)] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]


def _details(sessions: list[Session], sequence: int = 0) -> InviteDetails:
    return InviteDetails(
        uid="booking-7@registry.example.org", sequence=sequence, title="PB in practice", description="About PB",
        location="Lochee Hub", url="https://registry.example.org/events/3", organizer_email="registry@example.org",
        attendee_email="pat@example.org", attendee_name="Pat Kerr", sessions=sessions,
    )  # fmt: skip


def test_request_with_two_sessions_has_stable_uids_and_a_vtimezone() -> None:
    start = datetime(2027, 3, 27, 10, 0, tzinfo=LONDON)  # the day before the clocks go forward
    sessions = [
        Session(start, start + timedelta(hours=2)),
        Session(start + timedelta(days=1), start + timedelta(days=1, hours=2)),
    ]
    calendar = vobject.readOne(
        build_calendar("REQUEST", _details(sessions), LONDON, datetime(2027, 1, 1, tzinfo=UTC)).decode()
    )
    assert calendar.method.value == "REQUEST"
    assert [e.uid.value for e in calendar.vevent_list] == [
        "booking-7@registry.example.org",
        "booking-7-session-2@registry.example.org",
    ]
    starts_utc = [e.dtstart.value.astimezone(UTC).hour for e in calendar.vevent_list]
    assert starts_utc == [10, 9]  # GMT on Saturday, BST on Sunday 28 March 2027
    assert calendar.vtimezone.tzid.value == "Europe/London"


def test_cancel_carries_status_and_sequence() -> None:
    start = datetime(2027, 6, 1, 10, 0, tzinfo=LONDON)
    calendar = vobject.readOne(
        build_calendar(
            "CANCEL", _details([Session(start, start + timedelta(hours=1))], 3), LONDON, datetime.now(UTC)
        ).decode()
    )
    assert (calendar.method.value, calendar.vevent.status.value, calendar.vevent.sequence.value) == (
        "CANCEL",
        "CANCELLED",
        "3",
    )


def test_only_request_and_cancel() -> None:
    with pytest.raises(ValueError, match="REQUEST or CANCEL"):
        build_calendar("PUBLISH", _details([]), LONDON, datetime.now(UTC))


def test_session_uid() -> None:
    assert session_uid("booking-1@h", 0) == "booking-1@h"
    assert session_uid("booking-1@h", 2) == "booking-1-session-3@h"


def test_session_summary_names_the_session_only_when_there_are_several() -> None:
    assert session_summary("PB in practice", 0, 1) == "PB in practice"
    assert session_summary("PB in practice", 0, 3) == "PB in practice (session 1 of 3)"
    assert session_summary("PB in practice", 2, 3) == "PB in practice (session 3 of 3)"


def test_the_vtimezone_is_worked_out_once_and_is_what_icalendar_would_add(monkeypatch: pytest.MonkeyPatch) -> None:
    ical._vtimezone.cache_clear()
    made: list[str] = []
    original = Timezone.from_tzid

    def counted(tzid: str, **kwargs: object) -> Timezone:
        made.append(tzid)
        return original(tzid, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Timezone, "from_tzid", counted)
    start = datetime(2027, 3, 27, 10, 0, tzinfo=LONDON)
    stamp = datetime(2027, 1, 1, tzinfo=UTC)
    built = [
        build_calendar("REQUEST", _details([Session(start + timedelta(days=d), start + timedelta(days=d, hours=2))]),
                       LONDON, stamp)
        for d in range(5)
    ]  # fmt: skip
    assert made == ["Europe/London"]
    # The same VTIMEZONE as icalendar's own add_missing_timezones makes, and before the events.
    expected = Calendar.new(subcomponents=[Calendar.from_ical(built[0]).events[0]])
    expected.add_missing_timezones(first_date=date(2026, 1, 1), last_date=date(2028, 12, 31))
    parsed = Calendar.from_ical(built[0])
    assert [c.name for c in parsed.subcomponents] == ["VTIMEZONE", "VEVENT"]
    assert parsed.timezones[0].to_ical() == expected.timezones[0].to_ical()
    # UTC needs none.
    assert b"VTIMEZONE" not in build_calendar("REQUEST", _details([Session(start, start + timedelta(hours=1))]),
                                              ZoneInfo("UTC"), stamp)  # fmt: skip
