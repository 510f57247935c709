"""What every CSV the registry writes does to free text, so a spreadsheet opening it never runs a formula."""

from __future__ import annotations

import re

__all__ = ("spreadsheet_text",)

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE]-?\d+)?")
"""A plain number, negative ones included (a change of ``-1``): a spreadsheet reads it as the number it is."""


def spreadsheet_text(value: str | None) -> str:
    """Free text a spreadsheet must not run as a formula (CSV injection): a leading quote keeps it text."""
    value = value or ""
    if value.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value
