"""The SQL filter for "CLDSC status today" and the pure rule agree on the same history (claims awaiting
confirmation and rejected ones counting in neither)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from registry.cli_viewer import COMMAND_LINE
from registry.db import write_tx
from registry.people import service as people
from registry.people.tables import Organisation, Practitioner
from registry.registration import service as registration
from registry.registration.rules import RegistrationRow, RegistrationSummary, status_on, summary_of
from registry.registration.tables import CldscRegistration
from tests.support import ORGANISATIONS_CSV

DAY = date(2026, 6, 15)
STAMP = datetime(2020, 1, 1, tzinfo=UTC)
history = st.lists(
    st.tuples(
        st.sampled_from(["applied", "registered", "associate", "lapsed", "withdrawn"]),
        st.integers(min_value=-6, max_value=2),
        st.one_of(st.none(), st.integers(min_value=-2, max_value=2)),
        st.sampled_from(["confirmed", "confirmed", "pending", "rejected"]),
        st.booleans(),
    ),
    max_size=4,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(histories=st.lists(history, min_size=1, max_size=5))
@example(
    histories=[
        [("registered", -1, 0, "confirmed", True)],
        [("associate", -3, -1, "confirmed", True)],
        [("associate", -3, 2, "confirmed", True), ("applied", -1, None, "confirmed", False)],
        [("applied", -2, None, "confirmed", True), ("registered", -1, 2, "pending", True)],
        [("associate", -2, 2, "confirmed", True), ("withdrawn", -1, None, "rejected", True)],
        [],
    ]
)
async def test_sql_status_filter_and_summary_match_the_rule(
    histories: list[list[tuple[str, int, int | None, str, bool]]],
) -> None:
    """The one registration summary (registration.summary_on, used by pages, API, progress, the pack, reminders
    and the digest) and the SQL status filter both tell exactly what the pure rule does."""
    await CldscRegistration.delete(force=True)
    await Practitioner.delete(force=True)
    expected: dict[int, str] = {}
    summaries: dict[int, RegistrationSummary] = {}
    if not await Organisation.exists().where(Organisation.code == "DCC"):
        await people.import_organisations(COMMAND_LINE, ORGANISATIONS_CSV)
    org = await Organisation.select(Organisation.id).where(Organisation.code == "DCC").first()
    assert org is not None
    async with write_tx():
        for index, rows in enumerate(histories):
            inserted = await Practitioner.insert(
                Practitioner(
                    email=f"p{index}@example.org", given_name="P", family_name=str(index), organisation=org["id"],
                    contract="full_time", weekly_hours=35, started_on=date(2020, 1, 1),
                    created_at=STAMP, updated_at=STAMP,
                )
            ).returning(Practitioner.id)  # fmt: skip
            pid = inserted[0]["id"]
            recorded = []
            for number, (status, offset, renewal, state, numbered) in enumerate(rows):
                effective = DAY + timedelta(days=offset)
                due = DAY + timedelta(days=renewal) if renewal is not None else None
                row = await CldscRegistration.insert(
                    CldscRegistration(
                        practitioner=pid, status=status, effective_from=effective, renewal_due=due,
                        recorded_at=STAMP, state=state, membership_number=f"N{number}" if numbered else None,
                    )
                ).returning(CldscRegistration.id)  # fmt: skip
                recorded.append(
                    RegistrationRow(row[0]["id"], status, effective, due, state, f"N{number}" if numbered else None)
                )
            expected[pid] = status_on(recorded, DAY)
            summaries[pid] = summary_of(recorded, DAY)
    assert await registration.statuses_on(expected, DAY) == expected
    assert await registration.summary_on(expected, DAY) == summaries
    for status in ("none", "applied", "registered", "associate", "lapsed", "withdrawn"):
        matched = await Practitioner.select(Practitioner.id).where(registration.status_is(status, DAY))
        assert {r["id"] for r in matched} == {pid for pid, s in expected.items() if s == status}, status
