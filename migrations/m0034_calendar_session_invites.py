"""One iTIP meeting per session of a booking (registry.notify.messages): what was last sent for each session,
with its own SEQUENCE. Invites already out keep their UIDs: each current session of a booking whose invite is
out gets a row with that invite's sequence and state, so the next update follows on from it."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import ForeignKey, Integer, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.engine.finder import engine_finder
from piccolo.table import Table

ID = "2026-12-14T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "calendar: one invite per session"


class Booking(Table, tablename="booking", schema=None):
    id: Serial
    event = Integer()


class EventSession(Table, tablename="event_session", schema=None):
    id: Serial
    event = Integer()
    starts_at = Timestamptz()
    ends_at = Timestamptz()


class CalendarInvite(Table, tablename="calendar_invite", schema=None):
    id: Serial
    booking = Integer()
    sequence = Integer()
    state = Varchar(length=20)


class CalendarSessionInvite(Table, tablename="calendar_session_invite", schema=None):
    """The table as it is at this point."""

    id: Serial
    booking = ForeignKey(references=Booking, null=False, on_delete=OnDelete.cascade, index=True)
    slot = Integer()
    sequence = Integer(default=0)
    state = Varchar(length=20, default="requested")
    starts_at = Timestamptz()
    ends_at = Timestamptz()
    content = Text(default="")


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="registry", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        await CalendarSessionInvite.create_table(if_not_exists=True)
        await engine.run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS calendar_session_invite_slot ON calendar_session_invite (booking, slot)"
        )
        invites = await CalendarInvite.select().where(CalendarInvite.state != "none")
        for invite in invites:
            booking = await Booking.select(Booking.event).where(Booking.id == invite["booking"]).first()
            if booking is None:
                continue
            sessions = await EventSession.select().where(EventSession.event == booking["event"]).order_by(
                EventSession.starts_at
            )
            for slot, session in enumerate(sessions):
                await CalendarSessionInvite.insert(
                    CalendarSessionInvite(
                        booking=invite["booking"], slot=slot, sequence=invite["sequence"], state=invite["state"],
                        starts_at=session["starts_at"], ends_at=session["ends_at"], content="",
                    )
                )  # fmt: skip

    async def run_backwards() -> None:
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl('DROP TABLE IF EXISTS "calendar_session_invite"')

    manager.add_raw(run)
    manager.add_raw_backwards(run_backwards)
    return manager
