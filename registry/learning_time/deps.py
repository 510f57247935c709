"""The team view's filters, read once for its API, its page and its CSV (``web/deps.py``)."""

from __future__ import annotations

from litestar.di import NamedDependency, Provide

from registry.errors import Invalid
from registry.learning_time.service import period_or_this_year
from registry.learning_time.team import TeamFilter
from registry.web.deps import Filtered, FlagText, read_flag
from registry.web.params import PeriodQuery, SearchText

__all__ = ("TEAM_FILTERS", "TeamFilters")


def provide_team_filter(
    period: PeriodQuery = None, part_time: FlagText = None, setting: SearchText = None, organisation: SearchText = None
) -> Filtered[TeamFilter]:
    """The period (default this financial year), part-time or not (empty: everyone), setting and organisation."""
    problems: dict[str, str] = {}
    try:
        chosen = period_or_this_year(period)
    except Invalid as exc:
        problems |= exc.problems
        chosen = period_or_this_year(None)
    contract = None if not (part_time or "").strip() else read_flag(part_time, "part_time", problems)
    value = TeamFilter(chosen, contract, setting or None, organisation or None)
    params = {"period": period, "part_time": part_time, "setting": setting, "organisation": organisation}
    return Filtered(value, params, problems)


TeamFilters = NamedDependency[Filtered[TeamFilter]]
TEAM_FILTERS = {"filters": Provide(provide_team_filter, sync_to_thread=False)}
