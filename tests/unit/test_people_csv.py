"""Reading HR spreadsheets: headers, blank lines, byte-order marks, line endings and line numbers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from registry.people.rules import (
    ORGANISATION_COLUMNS,
    ORGANISATION_REQUIRED,
    PRACTITIONER_COLUMNS,
    PRACTITIONER_REQUIRED,
    CsvRow,
    read_csv,
)

REQUIRED = ("code", "name", "kind")
EMPTY = "line 1: header: the file is empty or has no header row"
NO_ROWS = "line 2: file: there are no rows after the header"


def cells(code: str, name: str, kind: str) -> dict[str, str]:
    return {"code": code, "name": name, "kind": kind}


def test_column_constants() -> None:
    assert ORGANISATION_REQUIRED == REQUIRED
    assert set(ORGANISATION_REQUIRED) <= set(ORGANISATION_COLUMNS)
    assert set(PRACTITIONER_REQUIRED) <= set(PRACTITIONER_COLUMNS)
    assert len(set(PRACTITIONER_COLUMNS)) == len(PRACTITIONER_COLUMNS)


def test_simple_file() -> None:
    rows, problems = read_csv("code,name,kind\nDCC,Dundee,local_authority\nFIFE,Fife,local_authority\n", REQUIRED)
    assert problems == []
    assert rows == [
        CsvRow(2, cells("DCC", "Dundee", "local_authority")),
        CsvRow(3, cells("FIFE", "Fife", "local_authority")),
    ]


def test_byte_order_mark_is_dropped() -> None:
    rows, problems = read_csv("\ufeffcode,name,kind\nDCC,Dundee,health\n", REQUIRED)
    assert problems == []
    assert rows == [CsvRow(2, cells("DCC", "Dundee", "health"))]
    assert "code" in rows[0].cells


def test_crlf_line_endings() -> None:
    rows, problems = read_csv("code,name,kind\r\nA,B,health\r\n\r\nC,D,college\r\n", REQUIRED)
    assert problems == []
    assert rows == [CsvRow(2, cells("A", "B", "health")), CsvRow(4, cells("C", "D", "college"))]


def test_old_mac_line_endings() -> None:
    rows, problems = read_csv("code,name,kind\rA,B,health\rC,D,college\r", REQUIRED)
    assert problems == []
    assert [row.line for row in rows] == [2, 3]


def test_last_line_without_newline() -> None:
    rows, problems = read_csv("code,name,kind\nA,B,health", REQUIRED)
    assert problems == []
    assert rows == [CsvRow(2, cells("A", "B", "health"))]


def test_blank_and_whitespace_lines_are_skipped_but_counted() -> None:
    text = "code,name,kind\n\n\nA,B,health\n,,\n  , ,  \nC,D,college\n"
    rows, problems = read_csv(text, REQUIRED)
    assert problems == []
    assert rows == [CsvRow(4, cells("A", "B", "health")), CsvRow(7, cells("C", "D", "college"))]


def test_header_case_and_spaces() -> None:
    rows, problems = read_csv(" Code ,NAME,  Kind\nA,B,health\n", REQUIRED)
    assert problems == []
    assert rows == [CsvRow(2, cells("A", "B", "health"))]


def test_cells_are_stripped() -> None:
    rows, _ = read_csv('code,name,kind\n  A  ," Dundee City ",\thealth \n', REQUIRED)
    assert rows[0].cells == cells("A", "Dundee City", "health")


def test_extra_columns_are_kept_in_cells_but_harmless() -> None:
    rows, problems = read_csv("code,extra,name,kind\nA,zzz,B,health,beyond-the-header\n", REQUIRED)
    assert problems == []
    assert rows[0].cells["code"] == "A"
    assert rows[0].cells["name"] == "B"
    assert rows[0].cells["kind"] == "health"
    assert "beyond-the-header" not in rows[0].cells.values()


def test_short_rows_miss_cells() -> None:
    rows, problems = read_csv("code,name,kind\nA\n", REQUIRED)
    assert problems == []
    assert rows == [CsvRow(2, {"code": "A"})]


@pytest.mark.parametrize(
    ("header", "missing"),
    [
        ("code,title", ["name", "kind"]),
        ("name,kind", ["code"]),
        ("cod,name,kind", ["code"]),
        ("other", ["code", "name", "kind"]),
        ("code;name;kind", ["code", "name", "kind"]),
    ],
)
def test_missing_required_columns(header: str, missing: list[str]) -> None:
    rows, problems = read_csv(f"{header}\nA,B,C\n", REQUIRED)
    assert rows == []
    assert problems == [f"line 1: header: missing column {column}" for column in missing]


def test_missing_practitioner_column() -> None:
    header = ",".join(c for c in PRACTITIONER_COLUMNS if c != "weekly_hours")
    rows, problems = read_csv(header + "\n" + "x," * 10 + "\n", PRACTITIONER_REQUIRED)
    assert rows == []
    assert problems == ["line 1: header: missing column weekly_hours"]


def test_no_required_columns_accepts_any_header() -> None:
    rows, problems = read_csv("anything\nvalue\n", ())
    assert problems == []
    assert rows == [CsvRow(2, {"anything": "value"})]


@pytest.mark.parametrize("text", ["", "\ufeff", "   ", "\n", "\n\n\n", ",,,\n", " , \nA,B,C\n"])
def test_empty_file(text: str) -> None:
    assert read_csv(text, REQUIRED) == ([], [EMPTY])


@pytest.mark.parametrize(
    "text", ["code,name,kind", "code,name,kind\n", "code,name,kind\r\n", "code,name,kind\n\n\n", "code,name,kind\n,,\n"]
)
def test_header_only_file(text: str) -> None:
    assert read_csv(text, REQUIRED) == ([], [NO_ROWS])


def test_quoted_multi_line_cell_keeps_later_line_numbers() -> None:
    text = 'code,name,kind\nA,"first\nsecond\nthird",health\nC,D,college\n\nE,F,other\n'
    rows, problems = read_csv(text, REQUIRED)
    assert problems == []
    assert rows == [
        CsvRow(2, cells("A", "first\nsecond\nthird", "health")),
        CsvRow(5, cells("C", "D", "college")),
        CsvRow(7, cells("E", "F", "other")),
    ]


def test_quoted_multi_line_cell_with_crlf() -> None:
    text = 'code,name,kind\r\nA,"first\r\nsecond",health\r\nC,D,college\r\n'
    rows, problems = read_csv(text, REQUIRED)
    assert problems == []
    assert [row.line for row in rows] == [2, 4]
    assert rows[1].cells == cells("C", "D", "college")


def test_quoted_commas_and_quotes() -> None:
    rows, problems = read_csv('code,name,kind\nA,"Smith, ""Jo""",health\n', REQUIRED)
    assert problems == []
    assert rows[0].cells["name"] == 'Smith, "Jo"'


def test_multi_line_header_cell_shifts_first_row() -> None:
    rows, problems = read_csv('code,name,kind,"notes\n(free text)"\nA,B,health,x\n', REQUIRED)
    assert problems == []
    assert rows == [CsvRow(3, {**cells("A", "B", "health"), "notes\n(free text)": "x"})]


_CELL = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12)


@given(st.lists(st.tuples(_CELL, _CELL, _CELL), min_size=1, max_size=8), st.sampled_from(["\n", "\r\n"]))
def test_line_numbers_match_physical_lines(records: list[tuple[str, str, str]], newline: str) -> None:
    """Every row's line number is the physical line its record starts on, whatever the quoted cells hold."""

    def quote(cell: str) -> str:
        return '"' + cell.replace('"', '""') + '"'

    lines = ["code,name,kind"]
    starts: list[int] = []
    expected: list[dict[str, str]] = []
    line = 2
    for record in records:
        text = ",".join(quote(c) for c in record)
        if any(c.strip() for c in record):
            starts.append(line)
            expected.append(cells(*(c.strip() for c in record)))
        lines.append(text)
        line += text.count("\n") + text.count("\r") - text.count("\r\n")
        line += 1
    rows, problems = read_csv(newline.join(lines) + newline, REQUIRED)
    if not starts:
        assert (rows, problems) == ([], [NO_ROWS])
        return
    assert problems == []
    assert [row.line for row in rows] == starts
    assert [row.cells for row in rows] == expected
