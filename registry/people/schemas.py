"""Hand-written pydantic models of organisations and practitioners for the API, forms and CSV import."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, ClassVar, Generic, Literal, TypeVar

from annotated_types import Interval, MaxLen
from pydantic import (
    AfterValidator,
    AllowInfNan,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from registry.validation import DATE_PATTERN, SchemaPattern

__all__ = (
    "CONTRACTS",
    "CSV_CLDSC_STATUSES",
    "ORGANISATION_KINDS",
    "Contract",
    "IsoDate",
    "OrganisationIn",
    "OrganisationKind",
    "OrganisationOut",
    "OrganisationPatch",
    "Page",
    "PractitionerIn",
    "PractitionerOut",
    "PractitionerPatch",
    "parse_iso_date",
)

T = TypeVar("T")

Contract = Literal["full_time", "part_time", "sessional", "volunteer"]
CONTRACTS: tuple[str, ...] = ("full_time", "part_time", "sessional", "volunteer")
OrganisationKind = Literal["local_authority", "health", "college", "third_sector", "other"]
ORGANISATION_KINDS: tuple[str, ...] = ("local_authority", "health", "college", "third_sector", "other")
CSV_CLDSC_STATUSES: tuple[str, ...] = ("none", "applied", "registered", "associate", "lapsed")

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
OptionalText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None
# annotated-types rather than Field(), so that the OpenAPI document keeps the limits of optional fields too.
PracticeAreas = Annotated[list[Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)]], MaxLen(20)]
WeeklyHours = Annotated[float, Interval(ge=0, le=60), AllowInfNan(False)]
CODE_SHAPE = r"^[A-Z0-9][A-Z0-9_-]{0,29}$"
"""An organisation's code: checked here, and said so in the OpenAPI document."""
Code = Annotated[
    str,
    BeforeValidator(lambda value: value.strip().upper() if isinstance(value, str) else value),
    StringConstraints(pattern=CODE_SHAPE),
    SchemaPattern(CODE_SHAPE),
]


EARLIEST_YEAR = 1900
LATEST_YEAR = 2200
"""Dates outside these years are typing mistakes, and would overflow date arithmetic (renewal in 3 years)."""


def parse_iso_date(value: object) -> object:
    """Dates are written ``YYYY-MM-DD``; numbers (Excel serials, Unix seconds) and datetimes are refused."""
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError("must be a date like 2025-04-01")
        try:
            parsed = date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"must be a real date: {value} does not exist") from None
        if not EARLIEST_YEAR <= parsed.year <= LATEST_YEAR:
            raise ValueError(f"must be a date between {EARLIEST_YEAR} and {LATEST_YEAR}")
        return parsed
    if isinstance(value, date) and not isinstance(value, datetime):
        if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
            raise ValueError(f"must be a date between {EARLIEST_YEAR} and {LATEST_YEAR}")
        return value
    if value is None:
        return None
    raise ValueError("must be a date like 2025-04-01")


IsoDate = Annotated[date, BeforeValidator(parse_iso_date), SchemaPattern(DATE_PATTERN)]
"""A calendar date written ``YYYY-MM-DD``."""


def _plain_email(value: object) -> object:
    if isinstance(value, str) and ("<" in value or " " in value.strip()):
        raise ValueError("must be an email address like name@example.org")
    return value


def _lower_email(value: str) -> str:
    return value.strip().lower()


Email = Annotated[EmailStr, BeforeValidator(_plain_email), AfterValidator(_lower_email)]
"""An email address, always lower case: one identity whatever the case it was typed in."""


def _blank_to_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class OrganisationIn(_Strict):
    """A new organisation (the CSV columns ``code,name,kind,local_authority``)."""

    code: Code = Field(description="Short code used in CSV files, e.g. DCC")
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    kind: OrganisationKind
    local_authority: OptionalText = None

    _blank = field_validator("local_authority", mode="before")(_blank_to_none)


class OrganisationPatch(_Strict):
    """Changes to an organisation; omitted fields stay as they are."""

    NOT_NULL: ClassVar[tuple[str, ...]] = ("name", "kind")
    """Fields a change may leave out but not clear (``null`` is refused)."""

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] | None = None
    kind: OrganisationKind | None = None
    local_authority: OptionalText = None


class OrganisationOut(BaseModel):
    id: int
    code: str
    name: str
    kind: str
    local_authority: str | None


class _PractitionerFields(_Strict):
    job_title: OptionalText = None
    setting: Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, max_length=50)] | None = None
    locality: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = None
    cld_qualified: bool | None = None
    manager_email: Email | None = None
    left_on: IsoDate | None = None

    _blank = field_validator(
        "job_title", "setting", "locality", "manager_email", "left_on", "cld_qualified", mode="before"
    )(_blank_to_none)

    @field_validator("practice_areas", mode="before", check_fields=False)
    @classmethod
    def _split_areas(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(";") if part.strip()]
        return value


class PractitionerIn(_PractitionerFields):
    """A practitioner record as HR knows it (the practitioners CSV, without the CLDSC columns)."""

    email: Email
    given_name: Name
    family_name: Name
    organisation: Code = Field(description="Code of the employing or hosting organisation")
    contract: Contract
    weekly_hours: float = Field(ge=0, le=60, allow_inf_nan=False, description="Average weekly CLD hours")
    practice_areas: PracticeAreas = []
    started_on: IsoDate

    @model_validator(mode="after")
    def _left_after_start(self) -> PractitionerIn:
        if self.left_on is not None and self.left_on < self.started_on:
            raise ValueError("left_on: must be on or after started_on")
        return self


class PractitionerPatch(_PractitionerFields):
    """Changes to a practitioner; omitted fields stay as they are, ``null`` clears an optional one."""

    NOT_NULL: ClassVar[tuple[str, ...]] = (
        "email", "given_name", "family_name", "organisation", "contract", "weekly_hours", "started_on"
    )  # fmt: skip
    """Fields a change may leave out but not clear (``null`` is refused)."""

    email: Email | None = None
    given_name: Name | None = None
    family_name: Name | None = None
    organisation: Code | None = None
    contract: Contract | None = None
    weekly_hours: WeeklyHours | None = None
    practice_areas: PracticeAreas | None = None
    started_on: IsoDate | None = None


class PractitionerOut(BaseModel):
    id: int
    email: str
    given_name: str
    family_name: str
    organisation: str
    job_title: str | None
    contract: str
    weekly_hours: float
    setting: str | None
    locality: str | None
    practice_areas: list[str]
    cld_qualified: bool | None
    manager_email: str | None
    started_on: IsoDate
    left_on: date | None
    cldsc_status: str = Field(description="CLDSC registration status today")
    pending_email: str | None = Field(
        default=None, description="A new address asked for, waiting for the person (or an admin) to confirm it"
    )
    erased_at: datetime | None = Field(
        default=None, description="When the person's identity and free text were erased; the counts stay"
    )


class LineManagerOut(BaseModel):
    manager_email: str | None = Field(description="None: no line manager from that day")
    from_on: date = Field(description="The day this line manager took over")
    recorded_by_email: str
    recorded_at: datetime


class Page(BaseModel, Generic[T]):
    """One page of a list."""

    items: list[T]
    total: int
