"""Hand-written pydantic models of event evaluations: the attendee's answers and the host's anonymous summary."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from registry.validation import WHOLE

__all__ = (
    "MAX_RATING",
    "MAX_WILL_DO_DIFFERENTLY",
    "MIN_RATING",
    "CompetenceCount",
    "EvaluationIn",
    "EvaluationOut",
    "EvaluationSummary",
    "PendingEvaluation",
    "RatingCount",
)

MIN_RATING = 1
MAX_RATING = 5
MAX_WILL_DO_DIFFERENTLY = 2000


class EvaluationIn(BaseModel):
    """An attendee's evaluation of an event (``POST /api/v1/bookings/{booking_id}/evaluation``)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    rating: Annotated[
        int, WHOLE, Field(ge=MIN_RATING, le=MAX_RATING, description="How useful it was, 1 (not at all) to 5")
    ]
    will_do_differently: Annotated[
        str,
        StringConstraints(strip_whitespace=True, max_length=MAX_WILL_DO_DIFFERENTLY),
        Field(description="What the attendee will do differently; shown to the host without a name"),
    ] = ""
    competences: Annotated[
        list[Annotated[str, StringConstraints(min_length=1, max_length=20)]],
        Field(max_length=50, description="Codes of the default framework's competences it helped"),
    ] = []

    @field_validator("will_do_differently", mode="before")
    @classmethod
    def _one_character_per_line_break(cls, value: object) -> object:
        # Browsers send a textarea's line breaks as CRLF but count them as one character.
        return value.replace("\r\n", "\n") if isinstance(value, str) else value

    @field_validator("competences", mode="before")
    @classmethod
    def _codes(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.replace(",", ";").split(";")
        if isinstance(value, list):
            # Only text is tidied: anything else is left for validation to refuse (a number is not a code).
            codes = [
                v.strip().upper() if isinstance(v, str) else v for v in value if not isinstance(v, str) or v.strip()
            ]
            return list(dict.fromkeys(codes)) if all(isinstance(c, str) for c in codes) else codes
        return value


class EvaluationOut(BaseModel):
    """An evaluation as its author sees it."""

    id: int
    booking_id: int
    event_id: int
    rating: int
    will_do_differently: str
    competences: list[str]
    created_at: datetime


class RatingCount(BaseModel):
    rating: int
    count: int


class CompetenceCount(BaseModel):
    code: str
    title: str
    count: int


class EvaluationSummary(BaseModel):
    """What the host sees: counts and anonymous comments, never who said what."""

    event_id: int
    event_title: str
    attendees: int = Field(description="Bookings marked as attended")
    responses: int = Field(description="Evaluations from those attendees")
    average_rating: float | None = Field(description="Mean rating to two places; null when nobody has answered")
    ratings: list[RatingCount] = Field(description="How many gave each rating, 1 to 5 (zeros included)")
    competences: list[CompetenceCount] = Field(
        description="How many said it helped each competence of the default framework, in framework order"
    )
    comments: list[str] = Field(description="What attendees will do differently, without names, in text order")
    comments_withheld: bool = Field(
        default=False, description="True while fewer than comments_from attendees have answered: no free text yet"
    )
    comments_from: int = Field(default=5, description="How many answers there must be before comments are shown")


class PendingEvaluation(BaseModel):
    """An attended event the signed-in person has not yet given feedback on."""

    booking_id: int
    event_id: int
    event_title: str
    starts_at: datetime | None
