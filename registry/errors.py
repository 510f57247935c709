"""Domain errors raised by services and mapped to HTTP answers in one place (app.py)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

__all__ = ("Conflict", "DomainError", "Forbidden", "Invalid", "NotFound", "refuse_cleared")


class DomainError(Exception):
    """Base of the errors a use case raises on purpose."""

    status_code = 400

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(DomainError):
    """The thing does not exist, or is not the caller's to see."""

    status_code = 404


class Forbidden(DomainError):
    """A known user acting outside their role."""

    status_code = 403


class Conflict(DomainError):
    """The change clashes with what is already recorded (a duplicate, a full event...)."""

    status_code = 409


class Invalid(DomainError):
    """Bad input: ``problems`` maps a field (or ``line N: column``) to what is wrong with it."""

    status_code = 400

    def __init__(self, problems: dict[str, str] | list[str], detail: str | None = None) -> None:
        self.problems: dict[str, str] = (
            problems if isinstance(problems, dict) else {str(i): p for i, p in enumerate(problems)}
        )
        self.lines: list[str] = (
            [f"{field}: {problem}" for field, problem in problems.items()]
            if isinstance(problems, dict)
            else list(problems)
        )
        super().__init__(detail or "; ".join(self.lines))


def refuse_cleared(changes: Mapping[str, object], not_null: Iterable[str]) -> None:
    """A change may leave these fields out but not clear them: ``Invalid`` names the first one set to null.

    ``not_null`` is the change model's ``NOT_NULL``, the same list the OpenAPI document drops ``null`` for.
    """
    for field in not_null:
        if field in changes and changes[field] is None:
            raise Invalid({field: "must not be empty"})
