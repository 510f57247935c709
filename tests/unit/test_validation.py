"""Pydantic's validation errors turned into the short, field-named messages users read."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError, model_validator

from registry.people.schemas import OrganisationIn, OrganisationOut, PractitionerIn, PractitionerPatch
from registry.validation import describe, plain, problems_from

VALID_PRACTITIONER: dict[str, Any] = {
    "email": "eilidh@example.org",
    "given_name": "Eilidh",
    "family_name": "Morrison",
    "organisation": "DCC",
    "contract": "part_time",
    "weekly_hours": 17.5,
    "started_on": "2020-02-03",
}


def practitioner_problems(**changes: Any) -> dict[str, str]:
    data = {k: v for k, v in (VALID_PRACTITIONER | changes).items() if v is not ...}
    with pytest.raises(ValidationError) as caught:
        PractitionerIn.model_validate(data)
    return problems_from(caught.value)


def test_valid_practitioner_has_no_problems() -> None:
    assert PractitionerIn.model_validate(VALID_PRACTITIONER).started_on == date(2020, 2, 3)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"email": ...}, {"email": "is required"}),
        ({"weekly_hours": "lots"}, {"weekly_hours": "must be a number"}),
        ({"weekly_hours": [1]}, {"weekly_hours": "must be a number"}),
        ({"weekly_hours": -1}, {"weekly_hours": "must be 0 or more"}),
        ({"weekly_hours": 60.01}, {"weekly_hours": "must be 60 or less"}),
        ({"started_on": "tomorrow"}, {"started_on": "must be a date like 2025-04-01"}),
        ({"started_on": "2025-02-30"}, {"started_on": "must be a real date: 2025-02-30 does not exist"}),
        ({"started_on": [2025]}, {"started_on": "must be a date like 2025-04-01"}),
        ({"cld_qualified": "perhaps"}, {"cld_qualified": "must be yes or no"}),
        ({"given_name": "   "}, {"given_name": "must not be empty"}),
        ({"given_name": "x" * 101}, {"given_name": "must be 100 characters or fewer"}),
        ({"job_title": "x" * 201}, {"job_title": "must be 200 characters or fewer"}),
        ({"payroll_id": "P1"}, {"payroll_id": "is not a field of this resource"}),
        (
            {"contract": "permanent"},
            {"contract": "must be one of full_time, part_time, sessional or volunteer"},
        ),
        ({"organisation": "two words"}, {"organisation": "must be a short code of letters, digits, - or _ (up to 30)"}),
        ({"email": "eilidh"}, {"email": "must be an email address like name@example.org"}),
        ({"manager_email": "graham@"}, {"manager_email": "must be an email address like name@example.org"}),
        ({"left_on": "2020-02-02"}, {"left_on": "must be on or after started_on"}),
    ],
    ids=lambda value: next(iter(value)) if isinstance(value, dict) else None,
)
def test_practitioner_messages(changes: dict[str, Any], expected: dict[str, str]) -> None:
    assert practitioner_problems(**changes) == expected


def test_every_missing_field_is_named() -> None:
    with pytest.raises(ValidationError) as caught:
        PractitionerIn.model_validate({})
    assert problems_from(caught.value) == {
        "email": "is required",
        "given_name": "is required",
        "family_name": "is required",
        "organisation": "is required",
        "contract": "is required",
        "weekly_hours": "is required",
        "started_on": "is required",
    }


def test_several_fields_each_with_a_problem() -> None:
    assert practitioner_problems(email="x", weekly_hours=99, contract="") == {
        "email": "must be an email address like name@example.org",
        "contract": "must be one of full_time, part_time, sessional or volunteer",
        "weekly_hours": "must be 60 or less",
    }


def test_whole_number_message() -> None:
    with pytest.raises(ValidationError) as caught:
        OrganisationOut.model_validate({"id": "x", "code": "A", "name": "B", "kind": "c", "local_authority": None})
    assert problems_from(caught.value) == {"id": "must be a whole number"}


def test_organisation_messages() -> None:
    with pytest.raises(ValidationError) as caught:
        OrganisationIn.model_validate({"code": "A" * 31, "name": "", "kind": "council"})
    assert problems_from(caught.value) == {
        "code": "must be a short code of letters, digits, - or _ (up to 30)",
        "name": "must not be empty",
        "kind": "must be one of local_authority, health, college, third_sector or other",
    }


def test_patch_messages() -> None:
    with pytest.raises(ValidationError) as caught:
        PractitionerPatch.model_validate({"weekly_hours": 61, "email": "nope", "colour": "red"})
    assert problems_from(caught.value) == {
        "email": "must be an email address like name@example.org",
        "weekly_hours": "must be 60 or less",
        "colour": "is not a field of this resource",
    }


def test_unmapped_error_keeps_pydantic_message() -> None:
    assert practitioner_problems(practice_areas=5) == {"practice_areas": "must be a list"}


class _Range(BaseModel):
    low: int
    high: int
    either: int | date = 0

    @model_validator(mode="after")
    def _ordered(self) -> _Range:
        if self.low > self.high:
            raise ValueError("high: must be at least low")
        if self.low == self.high == 0:
            raise ValueError("the range must not be empty")
        if self.low == self.high == 1:
            raise ValueError("not a field: really not")
        return self


def range_problems(**data: Any) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        _Range.model_validate(data)
    return problems_from(caught.value)


def test_whole_model_check_names_its_field() -> None:
    assert range_problems(low=5, high=1) == {"high": "must be at least low"}


def test_whole_model_check_without_field_is_input() -> None:
    assert range_problems(low=0, high=0) == {"input": "the range must not be empty"}


def test_whole_model_check_with_a_non_identifier_prefix_is_input() -> None:
    assert range_problems(low=1, high=1) == {"input": "not a field: really not"}


def test_only_the_first_problem_of_a_field_is_kept() -> None:
    with pytest.raises(ValidationError) as caught:
        _Range.model_validate({"low": 1, "high": 2, "either": "soon"})
    assert len(caught.value.errors()) == 2
    assert problems_from(caught.value) == {"either": "must be a whole number"}


@pytest.mark.parametrize(
    ("error", "message"),
    [
        ({"type": "missing"}, "is required"),
        ({"type": "float_parsing"}, "must be a number"),
        ({"type": "float_type"}, "must be a number"),
        ({"type": "int_parsing"}, "must be a whole number"),
        ({"type": "date_parsing"}, "must be a date like 2025-04-01"),
        ({"type": "date_type"}, "must be a date like 2025-04-01"),
        ({"type": "date_from_datetime_parsing"}, "must be a date like 2025-04-01"),
        ({"type": "bool_parsing"}, "must be yes or no"),
        ({"type": "string_too_short"}, "must not be empty"),
        ({"type": "extra_forbidden"}, "is not a field of this resource"),
        ({"type": "greater_than_equal", "ctx": {"ge": 0}}, "must be 0 or more"),
        ({"type": "greater_than_equal", "ctx": {"ge": 2.5}}, "must be 2.5 or more"),
        ({"type": "less_than_equal", "ctx": {"le": 60.0}}, "must be 60 or less"),
        ({"type": "literal_error", "ctx": {"expected": "'a' or 'b'"}}, "must be one of a or b"),
        ({"type": "string_pattern_mismatch"}, "must be a short code of letters, digits, - or _ (up to 30)"),
        ({"type": "string_too_long", "ctx": {"max_length": 50}}, "must be 50 characters or fewer"),
        (
            {"type": "value_error", "msg": "value is not a valid email address: no @"},
            "must be an email address like name@example.org",
        ),
        ({"type": "value_error", "msg": "Value error, ends too early"}, "ends too early"),
        ({"type": "assertion_error", "msg": "Assertion failed, nope"}, "Assertion failed, nope"),
        ({"type": "something_new"}, "is not valid"),
        ({}, "is not valid"),
    ],
)
def test_describe(error: dict[str, Any], message: str) -> None:
    assert describe(error) == message


def test_date_with_time_of_day_has_the_date_message() -> None:
    assert practitioner_problems(started_on="2025-04-01T10:00") == {"started_on": "must be a date like 2025-04-01"}


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("Field required", "is required"),
        ("Extra inputs are not permitted", "is not a field of this resource"),
        ("String should have at least 1 character", "must not be empty"),
        ("String should have at most 300 characters", "must be 300 characters or fewer"),
        ("List should have at least 1 item after validation, not 0", "must have at least one item"),
        ("List should have at most 50 items after validation, not 51", "must have 50 items or fewer"),
        ("Input should be a valid number, unable to parse string as a number", "must be a number"),
        ("Input should be a valid integer, got a number with a fractional part", "must be a whole number"),
        ("Input should be a valid boolean", "must be true or false"),
        ("Input should be a valid URL, relative URL without a base", "must be a full web address, like https://example.org/page"),
        ("Input should be 'course', 'online_learning' or 'other'", "must be one of course, online_learning or other"),
        ("Input should be greater than or equal to 0.25", "must be 0.25 or more"),
        ("Value error, must be a real date: 2025-02-31 does not exist", "must be a real date: 2025-02-31 does not exist"),
        ("Input should be a valid UUID, invalid character", "is not valid"),
        ("must be an email address like name@example.org", "must be an email address like name@example.org"),
    ],
)  # fmt: skip
def test_pydantics_messages_are_said_in_plain_words(message: str, expected: str) -> None:
    assert plain(message) == expected
