"""What every CSV the registry writes does to free text, so a spreadsheet opening it never runs a formula."""

from __future__ import annotations

__all__ = ("spreadsheet_text",)

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(value: str | None) -> str:
    """Free text a spreadsheet must not run as a formula (CSV injection): a leading quote keeps it text."""
    value = value or ""
    return "'" + value if value.startswith(FORMULA_STARTS) else value
