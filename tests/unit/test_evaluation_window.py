"""When an attendee may give feedback: once, after attending, from the start of the event's last session."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from registry.events.evaluation import ALREADY_GIVEN, evaluation_closed_reason
from registry.events.evaluation_schemas import EvaluationIn

LAST_START = datetime(2026, 11, 3, 18, 0, tzinfo=UTC)
NOT_ATTENDED = "You can give feedback once the host has recorded that you attended"
NOT_YET = "Feedback opens when the event's last session starts"


@pytest.mark.parametrize(
    ("status", "last_start", "now", "given", "expected"),
    [
        ("attended", LAST_START, LAST_START, False, None),  # open from the moment the last session starts
        ("attended", LAST_START, LAST_START + timedelta(days=90), False, None),
        ("attended", LAST_START, LAST_START - timedelta(seconds=1), False, NOT_YET),
        ("attended", None, LAST_START, False, NOT_YET),  # an event without sessions never opens
        ("attended", LAST_START, LAST_START, True, ALREADY_GIVEN),
        ("no_show", LAST_START, LAST_START, True, ALREADY_GIVEN),  # an answer given stays given
        *[
            (s, LAST_START, LAST_START, False, NOT_ATTENDED)
            for s in ("confirmed", "no_show", "waitlisted", "cancelled")
        ],
        ("pending_approval", LAST_START, LAST_START - timedelta(days=1), False, NOT_ATTENDED),
    ],
)
def test_evaluation_closed_reason(
    status: str, last_start: datetime | None, now: datetime, given: bool, expected: str | None
) -> None:
    assert evaluation_closed_reason(status, last_start, now, already_given=given) == expected


def test_answers_are_normalised() -> None:
    answers = EvaluationIn.model_validate(
        {"rating": 3, "will_do_differently": "  One\r\nTwo  ", "competences": [" c4", "C6", "c4", ""]}
    )
    assert answers.will_do_differently == "One\nTwo"
    assert answers.competences == ["C4", "C6"]
    assert EvaluationIn.model_validate({"rating": 5, "competences": "C1; c2"}).competences == ["C1", "C2"]


@pytest.mark.parametrize(
    "body",
    [
        {"rating": 0},
        {"rating": 6},
        {"rating": "useful"},
        {},
        {"rating": 3, "will_do_differently": "x" * 2001},
        {"rating": 3, "extra": "field"},
    ],
)
def test_bad_answers_are_refused(body: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="validation error"):
        EvaluationIn.model_validate(body)


def test_two_thousand_characters_are_enough_counting_line_breaks_once() -> None:
    text = ("x" * 999) + "\r\n" + ("y" * 1000)
    assert len(EvaluationIn.model_validate({"rating": 4, "will_do_differently": text}).will_do_differently) == 2000
