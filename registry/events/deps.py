"""The filters of the event and booking lists, read once for the API and the pages (``web/deps.py``)."""

from __future__ import annotations

from dataclasses import dataclass

from litestar.di import NamedDependency, Provide

from registry.events.service import EventFilter
from registry.web.deps import DayText, Filtered, FlagText, read_day, read_flag
from registry.web.params import SearchText

__all__ = ("BOOKING_FILTERS", "EVENT_FILTERS", "BookingFilter", "BookingFilters", "EventFilters")


def provide_event_filter(
    q: SearchText = None,
    competence: SearchText = None,
    format: SearchText = None,
    host: SearchText = None,
    local_authority: SearchText = None,
    date_from: DayText = None,
    date_to: DayText = None,
    fits_part_time: FlagText = None,
    mine: FlagText = None,
) -> Filtered[EventFilter]:
    """What a list of events is narrowed to; ``mine`` (the events the caller manages) includes past ones."""
    problems: dict[str, str] = {}
    managing = read_flag(mine, "mine", problems)
    value = EventFilter(
        q=(q or "").strip() or None, competence=competence or None, format=format or None, host=host or None,
        local_authority=local_authority or None, date_from=read_day(date_from, "date_from", "the first date", problems),
        date_to=read_day(date_to, "date_to", "the last date", problems),
        fits_part_time=read_flag(fits_part_time, "fits_part_time", problems), include_past=managing, mine=managing,
    )  # fmt: skip
    params = {
        "q": q, "competence": competence, "format": format, "host": host, "local_authority": local_authority,
        "date_from": date_from, "date_to": date_to, "fits_part_time": fits_part_time, "mine": mine,
    }  # fmt: skip
    return Filtered(value, params, problems)


@dataclass(frozen=True, slots=True)
class BookingFilter:
    team: bool = False
    """The bookings of the people the caller manages, rather than their own."""


def provide_booking_filter(team: FlagText = None) -> Filtered[BookingFilter]:
    problems: dict[str, str] = {}
    return Filtered(BookingFilter(read_flag(team, "team", problems)), {"team": team}, problems)


EventFilters = NamedDependency[Filtered[EventFilter]]
BookingFilters = NamedDependency[Filtered[BookingFilter]]
EVENT_FILTERS = {"filters": Provide(provide_event_filter, sync_to_thread=False)}
BOOKING_FILTERS = {"filters": Provide(provide_booking_filter, sync_to_thread=False)}
