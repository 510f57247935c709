"""Spreadsheet formula injection: text a spreadsheet would run is kept as text; plain numbers stay numbers."""

from __future__ import annotations

import pytest

from registry.csv_export import spreadsheet_text


@pytest.mark.parametrize(
    "value",
    ["=1+1", "+SUM(A1)", "-1+cmd|' /C calc'!A0", "@SUM(A1)", "\t=1", "\r=1", "-", "--1", "-1-1", "-1e", "- 1"],
)
def test_what_a_spreadsheet_would_run_gets_a_leading_quote(value: str) -> None:
    assert spreadsheet_text(value) == "'" + value


@pytest.mark.parametrize("value", ["-1", "-0.25", "-1e-05", "12", "0.5", "Eilidh", "", "a=1"])
def test_numbers_and_plain_text_stay_as_they_are(value: str) -> None:
    assert spreadsheet_text(value) == value


def test_nothing_is_an_empty_cell() -> None:
    assert spreadsheet_text(None) == ""
