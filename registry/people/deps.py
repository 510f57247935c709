"""The filters of the practitioner and organisation lists, read once for the API and the pages (web/deps.py)."""

from __future__ import annotations

from typing import Annotated

from litestar.di import NamedDependency, Provide
from litestar.params import QueryParameter

from registry.people.service import PractitionerFilter
from registry.web.deps import Filtered
from registry.web.params import SearchText

__all__ = (
    "ORGANISATION_FILTERS",
    "PRACTITIONER_FILTERS",
    "OrganisationFilters",
    "PractitionerFilters",
)

Employment = Annotated[str, QueryParameter(pattern="^(current|left|all)$")]


def provide_practitioner_filter(
    q: SearchText = None,
    organisation: SearchText = None,
    contract: SearchText = None,
    setting: SearchText = None,
    locality: SearchText = None,
    cldsc_status: SearchText = None,
    employment: Employment = "current",
) -> Filtered[PractitionerFilter]:
    """What a list of practitioners is narrowed to; blank fields of a page's form mean "any"."""
    value = PractitionerFilter(q, organisation, contract, setting, locality, cldsc_status, employment)
    params = {
        "q": q, "organisation": organisation, "contract": contract, "setting": setting,
        "locality": locality, "cldsc_status": cldsc_status, "employment": employment,
    }  # fmt: skip
    return Filtered(value, params)


def provide_organisation_filter(q: SearchText = None) -> Filtered[str | None]:
    """Words of an organisation's name or code."""
    return Filtered(q or None, {"q": q})


PractitionerFilters = NamedDependency[Filtered[PractitionerFilter]]
OrganisationFilters = NamedDependency[Filtered[str | None]]
PRACTITIONER_FILTERS = {"filters": Provide(provide_practitioner_filter, sync_to_thread=False)}
ORGANISATION_FILTERS = {"filters": Provide(provide_organisation_filter, sync_to_thread=False)}
