"""Hand-written pydantic models of events and bookings (INTERFACE.md shapes)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, ClassVar, Literal

from annotated_types import Interval, MaxLen, MinLen
from pydantic import (
    AfterValidator,
    AnyHttpUrl,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from registry.validation import DATETIME_PATTERN, WHOLE, AwareIsoDatetime, RecordId, SchemaPattern

__all__ = (
    "MAX_ATTENDANCE_ITEMS",
    "AttendanceItem",
    "BookingIn",
    "BookingOut",
    "DeclineIn",
    "EventIn",
    "EventOut",
    "EventPatch",
    "SessionIn",
    "place_problems",
)

Format = Literal["in_person", "online", "hybrid"]
MAX_CAPACITY = 10_000
MAX_SESSIONS = 52
MAX_TOPICS = 20
MAX_COMPETENCES = 50
MAX_ATTENDANCE_ITEMS = 1000
"""Bookings marked in one ``PUT .../attendance``; a larger event is marked in several requests."""
ONE_LINE = r"^[^\x00-\x1f\x7f]*$"
"""No control character: a title is one line of text (checked here, and said so in the OpenAPI document)."""
Title = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=300, pattern=ONE_LINE),
    SchemaPattern(ONE_LINE),
]


Topic = Annotated[str, StringConstraints(min_length=1, max_length=50)]
CompetenceCode = Annotated[str, StringConstraints(min_length=1, max_length=20)]
# annotated-types rather than Field(), so that the OpenAPI document keeps the limits of optional fields too.
Topics = Annotated[list[Topic], MaxLen(MAX_TOPICS)]
Competences = Annotated[list[CompetenceCode], MaxLen(MAX_COMPETENCES)]
Capacity = Annotated[int, WHOLE, Interval(ge=1, le=MAX_CAPACITY)]


def _tags(value: object) -> object:
    # Only text is tidied: anything else is left for validation to refuse (a number is not a tag).
    if isinstance(value, str):
        return [t.strip().lower() for t in value.replace(",", ";").split(";") if t.strip()]
    if isinstance(value, list):
        return [t.strip().lower() if isinstance(t, str) else t for t in value if not isinstance(t, str) or t.strip()]
    return value


def _codes(value: object) -> object:
    if isinstance(value, str):
        value = value.replace(",", ";").split(";")
    if isinstance(value, list):
        return [v.strip().upper() if isinstance(v, str) else v for v in value if not isinstance(v, str) or v.strip()]
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _sensible_year(value: datetime) -> datetime:
    if not 1900 <= value.year <= 2200:
        raise ValueError("must be a date and time between 1900 and 2200")
    return value


SensibleTime = Annotated[AwareIsoDatetime, AfterValidator(_sensible_year), SchemaPattern(DATETIME_PATTERN)]


class SessionIn(_Strict):
    starts_at: SensibleTime
    ends_at: SensibleTime

    @model_validator(mode="after")
    def _ends_after_start(self) -> SessionIn:
        if self.ends_at <= self.starts_at:
            raise ValueError("sessions: each session must end after it starts")
        return self


Sessions = Annotated[list[SessionIn], MinLen(1), MaxLen(MAX_SESSIONS)]


def place_problems(fmt: object, venue: object, online_url: object) -> dict[str, str]:
    """Where an event of this format must say it happens: a venue in person, a link online, both when hybrid."""
    problems = {}
    if fmt in {"in_person", "hybrid"} and not venue:
        problems["venue"] = "an in-person or hybrid event needs a venue"
    if fmt in {"online", "hybrid"} and not online_url:
        problems["online_url"] = "an online or hybrid event needs a link"
    return problems


class _EventFields(_Strict):
    description: Annotated[str, StringConstraints(max_length=20_000)] = ""
    venue: Annotated[str, StringConstraints(max_length=500)] | None = None
    online_url: AnyHttpUrl | None = None
    topics: Topics = []
    audience: Annotated[str, StringConstraints(max_length=1000)] = ""
    requires_approval: bool = False
    booking_opens_at: SensibleTime | None = None
    booking_closes_at: SensibleTime | None = None

    _tags = field_validator("topics", mode="before")(_tags)

    @field_validator("venue", "online_url", "booking_opens_at", "booking_closes_at", mode="before")
    @classmethod
    def _blank(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value


class EventIn(_EventFields):
    """A new event (``POST /api/v1/events``)."""

    title: Title
    host_organisation: Annotated[
        str, StringConstraints(strip_whitespace=True, to_upper=True, min_length=1, max_length=30)
    ] = Field(description="Code of the hosting organisation")
    format: Format
    capacity: Capacity
    sessions: Sessions
    competences: Competences = []
    status: Literal["draft", "published"] = "draft"

    _codes = field_validator("competences", mode="before")(_codes)

    @model_validator(mode="after")
    def _place_for_format(self) -> EventIn:
        for field, problem in place_problems(self.format, self.venue, self.online_url).items():
            raise ValueError(f"{field}: {problem}")
        return self


class EventPatch(_EventFields):
    """Changes to an event; omitted fields stay as they are."""

    NOT_NULL: ClassVar[tuple[str, ...]] = (
        "title", "format", "capacity", "sessions", "description", "audience", "requires_approval"
    )  # fmt: skip
    """Fields a change may leave out but not clear (``null`` is refused)."""

    title: Title | None = None
    format: Format | None = None
    capacity: Capacity | None = None
    sessions: Sessions | None = None
    competences: Competences | None = None
    description: Annotated[str, StringConstraints(max_length=20_000)] | None = None  # type: ignore[assignment]
    topics: Topics | None = None  # type: ignore[assignment]
    audience: Annotated[str, StringConstraints(max_length=1000)] | None = None  # type: ignore[assignment]
    requires_approval: bool | None = None  # type: ignore[assignment]
    status: Literal["draft", "published"] | None = None

    _codes = field_validator("competences", mode="before")(_codes)


class SessionOut(BaseModel):
    starts_at: datetime
    ends_at: datetime


class EventOut(BaseModel):
    id: int
    title: str
    description: str
    host_organisation: str
    host_name: str
    format: str
    venue: str | None
    online_url: str | None
    capacity: int
    places_left: int
    waitlisted: int
    sessions: list[SessionOut]
    competences: list[str]
    topics: list[str]
    audience: str
    requires_approval: bool
    booking_opens_at: datetime | None
    booking_closes_at: datetime | None
    status: str
    sequence: int


class BookingIn(_Strict):
    practitioner_id: RecordId | None = Field(default=None, description="Omitted: the caller's own practitioner record")
    access_needs: str | None = Field(
        default=None, max_length=500, description="Access and dietary needs: shown to the host only, cleared a month "
        "after the event",
    )


class DeclineIn(_Strict):
    reason: str = Field(min_length=1, max_length=1000, description="Why the booking is declined: mailed to them")


class BookingOut(BaseModel):
    id: int
    event_id: int
    practitioner_id: int
    status: str
    created_at: datetime


class AttendanceItem(_Strict):
    booking_id: RecordId
    attended: bool
