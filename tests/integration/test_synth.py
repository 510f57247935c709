"""``registry synth``: a synthetic alliance for benchmarks, written in bulk, that the registry then works on
(the metrics count it; new records get ids after it); never into a registry that holds organisations."""

from __future__ import annotations

from registry.cli_viewer import COMMAND_LINE
from registry.metrics.report import ReportAsk, metrics_report
from registry.people import service as people
from registry.people.tables import Practitioner
from tests.integration.test_metrics_api_cli_pages import _cli
from tests.support import StoppedClock


async def test_synth_makes_an_alliance_the_registry_works_on(fixed_clock: StoppedClock) -> None:
    code, out, _ = await _cli("synth", "--practitioners", "300", "--seed", "7")
    assert code == 0, out
    assert "300 practitioners" in out
    assert await Practitioner.count() == 300
    this_year = await metrics_report(COMMAND_LINE, ReportAsk())
    last_year = await metrics_report(COMMAND_LINE, ReportAsk(period="2025-26"))
    for report in (this_year, last_year):
        assert len(report.indicators) == 11
        assert all(i.value is not None for i in report.indicators), report.indicators
    # Ids continue after the bulk rows (PostgreSQL's sequences were moved on).
    await people.import_practitioners(
        COMMAND_LINE, "email,given_name,family_name,organisation,contract,weekly_hours,started_on\n"
        "real@example.org,Real,Person,ORG0001,full_time,35,2020-01-01\n",
    )  # fmt: skip
    assert await Practitioner.count() == 301
    code, _, err = await _cli("synth", "--practitioners", "10")
    assert code == 2
    assert "empty registry only" in err
