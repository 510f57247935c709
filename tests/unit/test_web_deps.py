"""The query-text readers behind the list filters (registry/web/deps.py), and that handlers are given the
caller instead of looking it up."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import pytest

from registry.web.deps import Filtered, Paging, read_day, read_flag

PACKAGE = Path(__file__).resolve().parents[2] / "registry"


@pytest.mark.parametrize(
    ("text", "expected", "problem"),
    [(None, False, False), ("", False, False), ("true", True, False), ("1", True, False), ("yes", True, False),
     ("TRUE", True, False), ("false", False, False), ("0", False, False), ("no", False, False),
     ("perhaps", False, True), ("2", False, True)],
)  # fmt: skip
def test_read_flag(text: str | None, expected: bool, problem: bool) -> None:
    problems: dict[str, str] = {}
    assert read_flag(text, "mine", problems) is expected
    assert ("mine" in problems) is problem


@pytest.mark.parametrize(
    ("text", "expected", "problem"),
    [(None, None, False), ("", None, False), ("  ", None, False), ("2026-12-08", date(2026, 12, 8), False),
     (" 2026-12-08 ", date(2026, 12, 8), False), ("next week", None, True), ("2026-13-01", None, True),
     ("2" * 5000, None, True)],
)  # fmt: skip
def test_read_day(text: str | None, expected: date | None, problem: bool) -> None:
    problems: dict[str, str] = {}
    assert read_day(text, "date_from", "the first date", problems) == expected
    assert problems == ({"date_from": "Enter the first date as a date like 2026-12-08"} if problem else {})


def test_a_filter_with_problems_is_refused_by_the_api_naming_each_field() -> None:
    from litestar.exceptions import ValidationException

    assert Filtered("value").valid() == "value"
    with pytest.raises(ValidationException) as refused:
        Filtered("value", {}, {"date_to": "Enter the last date"}).valid()
    assert refused.value.extra == [{"key": "date_to", "message": "Enter the last date", "source": "query"}]


def test_paging_gives_the_pagination_of_its_page() -> None:
    pagination = Paging(25, 50, 3).pagination(60)
    assert (pagination.page, pagination.first_row, pagination.last_row, pagination.pages) == (3, 51, 60, 3)


def test_no_handler_looks_the_caller_up_itself() -> None:
    """``viewer_of`` is for the guards and the dependency that provides ``viewer``; handlers are given it."""
    users = sorted(
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if any(isinstance(n, ast.Name) and n.id == "viewer_of" for n in ast.walk(ast.parse(path.read_text())))
    )
    assert users == ["web/auth.py", "web/deps.py"]
