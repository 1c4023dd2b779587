"""CSV sheets on real files: read in their encoding and delimiter, written back byte for byte."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from runner.sheet import STATUS_COLUMNS, SheetRow, Stamp, read_table, write_statuses
from runner.sheet.csvfile import read_with_layout
from runner.sheet.csvwrite import (
    _LINE_END,
    Quoting,
    _Lines,
    _lines,
    raw_fields,
    raw_records,
    record_spans,
)
from runner.status import Status, StatusCells
from tests.support.sheet import (
    CSV_TEXT,
    FAILED,
    SENT,
    SETTINGS,
    Grid,
    Statuses,
    check_round_trip,
    error,
    grids,
    leftovers,
    statuses,
)


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
@pytest.mark.parametrize("newline", ["\r\n", "\n"])
def test_csv_round_trip_keeps_the_file_format(
    tmp_path: Path, bom: bytes, delimiter: str, newline: str
) -> None:
    d, n = delimiter, newline
    original = [f"First Name{d}recipientProfileId{d}note", f"Ann{d}00123{d}a", f"Bob{d}12345678{d}"]
    sheet = tmp_path / "leads.csv"
    sheet.write_bytes(bom + n.join(original).encode() + n.encode())

    table = read_table(sheet)
    assert (table.kind, table.sheet_name) == ("csv", None)
    assert table.headers == ("First Name", "recipientProfileId", "note")
    assert table.rows == (SheetRow(2, ("Ann", "00123", "a")), SheetRow(3, ("Bob", "12345678", "")))

    report = write_statuses(table, {3: SENT}, sheet)
    assert (report.path, report.note, report.stamp) == (sheet, None, Stamp.of(sheet))
    expected = [
        original[0] + d + d.join(STATUS_COLUMNS),
        original[1],  # no status given for it: the line stays as it was
        original[2] + d + d.join(SENT.texts()),
    ]
    assert sheet.read_bytes() == bom + n.join(expected).encode() + n.encode()
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize(
    ("header", "delimiter", "headers"),
    [
        (b"name", ",", ("name",)),
        (b"name;id", ";", ("name", "id")),
        (b'"a,b,c";id;x', ";", ("a,b,c", "id", "x")),
        (b'"say ""a,b""";id', ";", ('say "a,b"', "id")),
        (b'na"me;id', ";", ('na"me', "id")),
        (b"a|b|c;d", "|", ("a", "b", "c;d")),
        (b"a,b;c,d;e", ",", ("a", "b;c", "d;e")),  # a tie goes to the comma
    ],
)
def test_csv_delimiter_comes_from_the_header(
    tmp_path: Path, header: bytes, delimiter: str, headers: tuple[str, ...]
) -> None:
    sheet = tmp_path / "leads.csv"
    sheet.write_bytes(header + b"\n" + delimiter.encode().join([b"v"] * len(headers)) + b"\n")
    table = read_table(sheet)
    assert table.headers == headers
    assert table.rows[0].cells == ("v",) * len(headers)


def test_csv_quoted_newline_counts_as_one_row(tmp_path: Path) -> None:
    sheet = tmp_path / "leads.csv"
    sheet.write_bytes(b'name,note\r\nAnn,"line one\r\nline two, with comma"\r\nBob,x\r\n')
    table = read_table(sheet)
    assert table.rows == (
        SheetRow(2, ("Ann", "line one\r\nline two, with comma")),
        SheetRow(3, ("Bob", "x")),
    )
    write_statuses(table, {3: SENT}, sheet)
    assert sheet.read_bytes() == (
        b"name,note,status,status_detail,sent_at,recipient_urn,status_for\r\n"
        b'Ann,"line one\r\nline two, with comma"\r\n'
        b"Bob,x,sent,,2026-01-15T09:00:00Z,urn:li:fsd_profile:ACoAA1,ann-1 #ea897f\r\n"
    )
    assert read_table(sheet).rows[0].cells[1] == "line one\r\nline two, with comma"


def test_csv_in_cp1252_stays_cp1252(tmp_path: Path) -> None:
    sheet = tmp_path / "leads.csv"
    original = "name;city;price\r\nRené;Zürich;€5\r\nZoë;Köln;€7\r\n".encode("cp1252")
    sheet.write_bytes(original)
    table = read_table(sheet)
    assert table.rows[0].cells == ("René", "Zürich", "€5")

    write_statuses(table, {2: StatusCells(Status.FAILED, "no → 😀 café")}, sheet)
    written = sheet.read_bytes()
    assert written == (
        "name;city;price;status;status_detail;sent_at;recipient_urn;status_for\r\n"
        "René;Zürich;€5;failed;no ? ? café;;;\r\n"
        "Zoë;Köln;€7\r\n"
    ).encode("cp1252")
    for line in original.splitlines():
        assert line in written
    assert read_table(sheet).rows[1].cells[:3] == ("Zoë", "Köln", "€7")


def test_csv_undecodable_in_cp1252_falls_back_to_latin1(tmp_path: Path) -> None:
    sheet = tmp_path / "leads.csv"
    # (Bytes that read no better as Mac Roman, "xÅyÈ": those are refused, see test_mac_roman.)
    sheet.write_bytes(b"name\r\nx\x81y\xe9\r\n")
    table = read_table(sheet)
    assert table.rows[0].cells == ("x\x81yé",)
    write_statuses(table, {2: SENT}, sheet)
    assert sheet.read_bytes().startswith(
        b"name,status,status_detail,sent_at,recipient_urn,status_for\r\nx\x81y\xe9,"
    )


def test_csv_blank_lines_are_skipped_but_kept(tmp_path: Path) -> None:
    sheet = tmp_path / "leads.csv"
    sheet.write_bytes(b"name,id\n\nAnn,1\n,\n\nBob,2\n\n")
    table = read_table(sheet)
    assert [(r.number, r.cells) for r in table.rows] == [(3, ("Ann", "1")), (6, ("Bob", "2"))]
    write_statuses(table, {6: SENT}, sheet)
    assert sheet.read_bytes() == (
        b"name,id,status,status_detail,sent_at,recipient_urn,status_for\n"
        b"\n"
        b"Ann,1\n"
        b",\n"
        b"\n"
        b"Bob,2,sent,,2026-01-15T09:00:00Z,urn:li:fsd_profile:ACoAA1,ann-1 #ea897f\n"
        b"\n"
    )


def test_csv_without_final_newline_stays_so(tmp_path: Path) -> None:
    sheet = tmp_path / "leads.csv"
    sheet.write_bytes(b"name\nAnn")
    write_statuses(read_table(sheet), {2: SENT}, sheet)
    assert sheet.read_bytes().endswith(b"urn:li:fsd_profile:ACoAA1,ann-1 #ea897f")


def test_csv_existing_status_columns_are_reused(tmp_path: Path) -> None:
    sheet = tmp_path / "leads.csv"
    sheet.write_bytes(b"name,Status,notes,Sent At\nAnn,old,x,\nBob,,y,\n")
    table = read_table(sheet)
    table = replace(table, stamp=write_statuses(table, {2: SENT}, sheet).stamp)
    assert sheet.read_bytes() == (
        b"name,Status,notes,Sent At,status_detail,recipient_urn,status_for\n"
        b"Ann,sent,x,2026-01-15T09:00:00Z,,urn:li:fsd_profile:ACoAA1,ann-1 #ea897f\n"
        b"Bob,,y,\n"
    )
    # A second write starts from the sheet as it is now: the same table, the same columns.
    write_statuses(table, {2: SENT, 3: FAILED}, sheet)
    first = sheet.read_bytes()
    assert first.splitlines()[0] == (
        b"name,Status,notes,Sent At,status_detail,recipient_urn,status_for"
    )
    assert first.splitlines()[2] == b'Bob,failed,y,,"\'=HYPERLINK(""http://evil"",""x"")",,'
    # The same statuses again: the same bytes, and the file is not even rewritten.
    mtime = sheet.stat().st_mtime_ns
    write_statuses(read_table(sheet), {2: SENT, 3: FAILED}, sheet)
    assert sheet.read_bytes() == first
    assert sheet.stat().st_mtime_ns == mtime


@pytest.mark.parametrize("value", ["=1+2", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_csv_status_values_never_become_formulas(tmp_path: Path, value: str) -> None:
    sheet = tmp_path / "leads.csv"
    sheet.write_bytes(b"name\nAnn\n")
    write_statuses(read_table(sheet), {2: StatusCells(Status.FAILED, value)}, sheet)
    assert read_table(sheet).rows[0].cells[2] == "'" + value


def test_csv_ragged_rows(tmp_path: Path) -> None:
    sheet = tmp_path / "leads.csv"
    sheet.write_bytes(b"name,id,,\nAnn\nBob,2,,,,\n")
    table = read_table(sheet)
    assert table.headers == ("name", "id")
    assert table.rows == (SheetRow(2, ("Ann", "")), SheetRow(3, ("Bob", "2")))
    write_statuses(table, {2: SENT}, sheet)
    assert sheet.read_bytes().splitlines()[1:] == [
        b"Ann,,sent,,2026-01-15T09:00:00Z,urn:li:fsd_profile:ACoAA1,ann-1 #ea897f",
        b"Bob,2,,,,",
    ]

    sheet.write_bytes(b"name,id\nAnn,1\nBob,2,,extra\n")
    assert error(read_table, sheet) == (
        "leads.csv: row 3: cell D3 has a value but column D has no header; give the column a "
        "header or clear the cell (status columns are added right of the header)"
    )


def test_csv_has_no_sheets(tmp_path: Path) -> None:
    sheet = tmp_path / "leads.csv"
    sheet.write_bytes(b"name\nAnn\n")
    assert error(read_table, sheet, "Leads") == (
        'leads.csv: a CSV file has no sheets, so sheet "Leads" cannot be read; leave the sheet '
        "setting out"
    )


@SETTINGS
@given(
    grid=grids(CSV_TEXT),
    choices=statuses(CSV_TEXT),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    newline=st.sampled_from(["\r\n", "\n"]),
    bom=st.booleans(),
    quoting=st.sampled_from([csv.QUOTE_ALL, csv.QUOTE_MINIMAL]),
)
def test_csv_round_trip_of_any_text(
    tmp_path: Path,
    grid: Grid,
    choices: Statuses,
    delimiter: str,
    newline: str,
    bom: bool,
    quoting: int,
) -> None:
    # csv.writer leaves a lone "\r" unquoted unless it is part of the line end, which makes a
    # file no reader reads back; spreadsheets quote it.
    lone_cr = any("\r" in cell for row in [grid[0], *grid[1]] for cell in row)
    assume(not (quoting == csv.QUOTE_MINIMAL and newline == "\n" and lone_cr))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=newline, quoting=quoting)
    writer.writerows([grid[0], *grid[1]])
    path = tmp_path / "grid.csv"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + buffer.getvalue().encode())
    check_round_trip(path, grid, choices)
    # And read by the csv module itself, not only by the runner's reader.
    text = path.read_bytes().decode("utf-8-sig")
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    width = len(grid[0])
    original = [grid[0], *grid[1]]
    assert [r[:width] for r in records] == original


def diff_lines(before: bytes, after: bytes) -> list[tuple[bytes, bytes]]:
    pairs = zip(before.splitlines(), after.splitlines(), strict=True)
    return [(a, b) for a, b in pairs if a != b]


def test_an_all_quoted_file_stays_all_quoted_and_only_changed_lines_change(tmp_path: Path):
    sheet = tmp_path / "leads.csv"
    sheet.write_bytes(b'"name","id"\r\n"Ann","ann-1"\r\n"Bob","bob-2"\r\n"Cy","cy-3"\r\n')
    table = read_table(sheet)
    pending = StatusCells(Status.PENDING)
    states = {2: pending, 3: pending, 4: pending}
    table = replace(table, stamp=write_statuses(table, states, sheet).stamp)
    first = sheet.read_bytes()
    assert first.splitlines()[:2] == [
        b'"name","id","status","status_detail","sent_at","recipient_urn","status_for"',
        b'"Ann","ann-1","pending","","","",""',
    ]
    # Bob is sent: his line, and no other, changes.
    write_statuses(table, {**states, 3: SENT}, sheet)
    assert diff_lines(first, sheet.read_bytes()) == [
        (
            b'"Bob","bob-2","pending","","","",""',
            b'"Bob","bob-2","sent","","2026-01-15T09:00:00Z","urn:li:fsd_profile:ACoAA1",'
            b'"ann-1 #ea897f"',
        )
    ]


def test_a_file_quoting_only_non_empty_cells_keeps_that(tmp_path: Path):
    sheet = tmp_path / "leads.csv"
    sheet.write_bytes(b'"name","id"\n"Ann","ann-1"\n"Bob",\n')
    table = read_table(sheet)
    write_statuses(table, {2: StatusCells(Status.PENDING), 3: StatusCells(Status.INVALID)}, sheet)
    assert sheet.read_bytes().splitlines()[1:] == [
        b'"Ann","ann-1","pending",,,,',
        b'"Bob",,"invalid",,,,',
    ]


def test_a_users_cells_keep_their_own_quotes_on_a_changed_line(tmp_path: Path):
    sheet = tmp_path / "leads.csv"
    sheet.write_bytes(b'name,company,id\nAnn,"Acme",ann-1\n"Bob ""B""",Globex,bob-2\n')
    table = read_table(sheet)
    write_statuses(table, {2: SENT, 3: StatusCells(Status.PENDING)}, sheet)
    assert sheet.read_bytes().splitlines()[1:] == [
        b'Ann,"Acme",ann-1,sent,,2026-01-15T09:00:00Z,urn:li:fsd_profile:ACoAA1,ann-1 #ea897f',
        b'"Bob ""B""",Globex,bob-2,pending,,,,',
    ]


# A report export: a title block above the header (see the campaign's header_row) ---------------

REPORT = (
    "Leads report,,\r\n"
    "Generated 2026-01-15 by Acme CRM,,\r\n"
    ",,\r\n"
    "First Name,recipientProfileId,note\r\n"
    "Ann,ann,a\r\n"
    "Bob,bob,\r\n"
)


def test_csv_header_row_below_a_title_block(tmp_path: Path) -> None:
    sheet = tmp_path / "leads.csv"
    sheet.write_bytes(REPORT.encode())
    table = read_table(sheet, header_row=4)
    assert (table.headers, table.header_row) == (("First Name", "recipientProfileId", "note"), 4)
    assert table.rows == (SheetRow(5, ("Ann", "ann", "a")), SheetRow(6, ("Bob", "bob", "")))

    write_statuses(table, {6: SENT}, sheet)
    lines = sheet.read_bytes().decode().split("\r\n")
    assert lines[:3] == REPORT.split("\r\n")[:3]  # the title block as it was
    assert lines[3] == "First Name,recipientProfileId,note," + ",".join(STATUS_COLUMNS)
    assert lines[5] == "Bob,bob,," + ",".join(SENT.texts())


def test_csv_title_block_error_suggests_header_row(tmp_path: Path) -> None:
    sheet = tmp_path / "leads.csv"
    sheet.write_bytes(b"Leads report\r\n\r\nFirst Name,recipientProfileId\r\nAnn,ann\r\n")
    assert error(read_table, sheet) == (
        "leads.csv: row 1 holds only 'Leads report' but row 3 has more columns, so the header "
        "seems to be on row 3: set header_row = 3 in the campaign file"
    )


# Excel's "sep=" line ------------------------------------------------------------------------


@pytest.mark.parametrize("line", ["sep=;", '"sep=;"', "SEP=;"])
def test_csv_sep_line_sets_the_delimiter_and_is_no_row(tmp_path: Path, line: str) -> None:
    """Excel writes it, and reads it, to say the delimiter; it shows no row for it."""
    sheet = tmp_path / "leads.csv"
    # Commas in the cells would make the sniffer choose ",": the hint decides.
    sheet.write_bytes(
        f"{line}\r\nName;recipientProfileId\r\nLee, Ann;ann\r\nNg, Bo;bo\r\n".encode()
    )
    table = read_table(sheet)
    assert table.headers == ("Name", "recipientProfileId")
    assert table.rows == (SheetRow(2, ("Lee, Ann", "ann")), SheetRow(3, ("Ng, Bo", "bo")))
    # The writer needs the line as it was to keep it (see _CsvLayout.sep_line).
    assert read_with_layout(sheet)[1].sep_line == f"{line}\r\n"


def test_csv_without_sep_line_has_none(tmp_path: Path) -> None:
    sheet = tmp_path / "leads.csv"
    sheet.write_bytes(b"Name,recipientProfileId\r\nAnn,ann\r\n")
    assert read_with_layout(sheet)[1].sep_line == ""


# Mac Roman ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "First Name,Company,recipientProfileId\nJürgen,Müller GmbH,jurgen\n",
            'leads.csv: is Mac Roman text (Excel for Mac\'s "CSV (Macintosh)"), not UTF-8: line '
            "2's 'Jürgen' would read as 'JŸrgen'. Save it as CSV UTF-8 (Excel: Save As, \"CSV "
            'UTF-8 (Comma delimited)") and run again',
        ),
        (
            "First Name,Company,recipientProfileId\nRenée,Café de Flore,renee\n",
            'leads.csv: is Mac Roman text (Excel for Mac\'s "CSV (Macintosh)"), not UTF-8: line '
            "2's 'Renée' would read as 'RenŽe'. Save it as CSV UTF-8 (Excel: Save As, \"CSV "
            'UTF-8 (Comma delimited)") and run again',
        ),
        (
            "First Name\rFrançois\r",  # Excel for Mac ends lines with a lone CR
            'leads.csv: is Mac Roman text (Excel for Mac\'s "CSV (Macintosh)"), not UTF-8: line '
            "2's 'François' would read as 'Fran\ufffdois'. Save it as CSV UTF-8 (Excel: Save As, "
            '"CSV UTF-8 (Comma delimited)") and run again',
        ),
    ],
    ids=["umlaut", "accent", "undefined-in-windows"],
)
def test_mac_roman_is_refused(tmp_path: Path, text: str, message: str) -> None:
    sheet = tmp_path / "leads.csv"
    sheet.write_bytes(text.encode("mac_roman"))
    assert error(read_table, sheet) == message


@pytest.mark.parametrize(
    "text",
    [
        "Renée,„Straße“ & Söhne €,Müller",
        "O’Brien don’t,Acme™ Inc,Paris–Berlin",
        "Dušan Škoda,cœur,Zoë",
        "García,Ångström,«\xa0Café\xa0»",
    ],
)
def test_windows_text_is_not_taken_for_mac_roman(tmp_path: Path, text: str) -> None:
    sheet = tmp_path / "leads.csv"
    sheet.write_bytes(f"a,b,c\r\n{text}\r\n".encode("cp1252"))
    assert read_table(sheet).rows[0].cells == tuple(text.split(","))


@given(st.text(alphabet="a\r\né", max_size=12))
def test_lines_are_split_as_the_line_end_pattern_splits_them(text: str) -> None:
    """One kind of line end, split by str.split; several kinds, by the pattern: the same."""
    assert _lines(text) == _LINE_END.split(text)
    for end in ("\n", "\r", "\r\n"):
        uniform = text.replace("\r", "").replace("\n", end)
        assert _lines(uniform) == _LINE_END.split(uniform)


_CSV_CHARS = st.text(alphabet='ab"\r\n,; é', max_size=6)


@given(
    rows=st.lists(st.lists(_CSV_CHARS, min_size=1, max_size=4), min_size=1, max_size=6),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    ending=st.sampled_from(["\n", "\r\n", "\r"]),
    quoting=st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
    stray=st.booleans(),
)
def test_the_record_and_cell_scan_reads_as_the_csv_module_does(
    rows: list[list[str]], delimiter: str, ending: str, quoting: int, stray: bool
) -> None:
    """The write-back finds records and cells with regular expressions (fast); they must
    split every file exactly where the csv module does, quoted line ends and doubled quotes,
    blank lines and quotes inside unquoted cells (a"b) included."""
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator=ending, quoting=quoting).writerows(rows)
    text = out.getvalue() + (ending + 'x"y' + delimiter + "z" if stray else "")
    expected = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    spans = record_spans(text, delimiter)
    assert "".join(text[s:e] + end for s, e, end in spans) == text
    records = [list(csv.reader([text[s:e]], delimiter=delimiter, strict=True)) for s, e, _ in spans]
    assert [r[0] if r else [] for r in records] == expected
    # The quick way, one split at line ends where no cell holds one, finds the same records.
    assert raw_records(text, delimiter, len(expected)) == (
        [text[s:e] for s, e, _ in spans],
        [end for _, _, end in spans],
    )
    for (start, end, _), cells in zip(spans, expected, strict=True):
        fields = raw_fields(text[start:end], delimiter) if end > start else []
        assert [_unquoted(f) for f in fields] == cells


def _unquoted(field: str) -> str:
    return field[1:-1].replace('""', '"') if field.startswith('"') else field


@given(
    record=st.lists(_CSV_CHARS, min_size=1, max_size=7),
    values=st.lists(_CSV_CHARS, min_size=2, max_size=2),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    quoting=st.sampled_from(list(Quoting)),
    trailing=st.booleans(),
)
def test_a_changed_line_reads_as_its_cells_with_the_status_cells_set(
    record: list[str], values: list[str], delimiter: str, quoting: Quoting, trailing: bool
) -> None:
    """Both ways of setting the status cells (the text before a trailing block kept as it is;
    else every cell split out) give a line the csv module reads as the record with those cells
    set, padded where it was short, and keep the cells before them as they were written."""
    out = io.StringIO()
    # (the writer quotes line ends only when they are its own line end)
    every = csv.QUOTE_ALL if quoting is Quoting.ALL else csv.QUOTE_MINIMAL
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n", quoting=every).writerow(record)
    raw = out.getvalue()[:-2]
    assume(raw != "")  # a lone empty cell writes as nothing: a blank line, never changed
    columns = (3, 4) if trailing else (1, 3)
    width = max(5 if trailing else 4, len(record))
    lines = _Lines(columns, width, quoting, delimiter)
    changed = lines.with_cells(raw, tuple(record), dict(zip(columns, values, strict=True)))
    # The way a run sets them (a text for each column in order) gives the same line.
    assert lines.with_texts(raw, tuple(record), values) == changed
    expected = (record + [""] * width)[:width]
    for column, value in zip(columns, values, strict=True):
        expected[column] = value
    assert next(csv.reader([changed], delimiter=delimiter, strict=True)) == expected
    kept = raw_fields(raw, delimiter)[: min(columns)]
    assert raw_fields(changed, delimiter)[: len(kept)] == kept
    if quoting is Quoting.ALL:  # the cells added, padding included, quoted as the others
        assert all(f.startswith('"') for f in raw_fields(changed, delimiter))
