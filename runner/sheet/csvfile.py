"""A sheet saved as CSV: read in whatever encoding, delimiter and line ends it has, and written
back byte for byte apart from the status cells.

The encoding is UTF-8 (with or without a byte order mark) or else the Windows code page Excel
writes; text that would read as garbled in either is refused rather than guessed at. The layout
read (encoding, byte order mark, delimiter, line end, final newline, blank lines) is kept so the
write-back changes nothing else.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import SheetError
from .grid import Table, check_file, make_table, unreadable_file

_DELIMITERS = (",", ";", "\t", "|")
# How many bytes above ASCII decide whether a file is Mac Roman: plenty, and quick on any file.
_MAC_SAMPLE = 5000
_WORD_ENDS = ("\n", "\r", " ", '"', *_DELIMITERS)
# Excel's delimiter hint, a first line such as "sep=;" (which Excel also reads quoted).
_SEP_LINE = re.compile(r'"?sep=(?P<sep>[^\r\n"])"?[^\S\r\n]*(?:\r\n|\r|\n|$)', re.IGNORECASE)
# A multi-byte UTF-8 character: in a file that is not valid UTF-8, a sign of mixed encodings
# when it is a Latin letter or common punctuation (Windows-1252 text can form byte pairs that
# happen to be UTF-8 for some far-off script: "é" + no-break space, "ß" + a quote).
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}")


def _latin(sequence: bytes) -> bool:
    char = sequence.decode("utf-8", "replace")
    return "\u00a0" <= char <= "\u024f" or "\u2010" <= char <= "\u20cf"


# Symbols that Windows-1252 gives for letters of other code pages (cp1250's "ł" reads as "³",
# "Ł" as "£", "Ż" as "¯"); beside a letter they are garbled text, not symbols. Superscripts
# (m², km³) and the pound (£m, £bn) sit beside letters as symbols too; they count only before
# a letter ("Wroc³aw"), or before a whole word ("£ukasz").
_ODD = "¯¹¥¤¦¨¬¸¼½¾¢§¶ˆ˜†‡‰ƒ"
_LETTER = r"[^\W\d_]"
_UNLIKELY = re.compile(
    rf"(?<={_LETTER})[{_ODD}]|[{_ODD}](?={_LETTER})|[²³](?={_LETTER})|£(?={_LETTER}{{3}})"
)


@dataclass(frozen=True)
class CsvLayout:
    """What it takes to write a CSV back byte for byte, apart from the cells that change."""

    encoding: str
    bom: bool
    delimiter: str
    terminator: str
    final_newline: bool
    records: tuple[tuple[str, ...], ...]  # every record as parsed; a blank line is ()
    # Excel's delimiter hint ("sep=;") when the file starts with one: the line as it was, with
    # its line end. It is no row of the sheet (Excel does not show it): records start after it.
    sep_line: str = ""
    text: str = ""  # the file after any sep line, decoded: unchanged lines go back as they are
    # `text` cut into its records as written, and the line end after each, where a write of
    # the runner's worked them out: the next write need not cut it again (a fifth of a
    # 100,000-row checkpoint).
    lines: tuple[tuple[str, ...], tuple[str, ...]] | None = field(
        default=None, compare=False, repr=False
    )


# Reading ------------------------------------------------------------------------------------


def read_with_layout(path: Path, header_row: int = 1) -> tuple[Table, CsvLayout]:
    """The table, and the layout it takes to write the file back."""
    layout = read_records(path)
    return make_table(path, "csv", None, layout.records, header_row), layout


def read_records(path: Path) -> CsvLayout:
    """Every record of the file (`records`), before any is taken as the header or a row; for
    files that are lists rather than sheets (the do-not-contact list)."""
    name = path.name
    encoding, bom, text = read_text(path)
    hint = _SEP_LINE.match(text)
    sep_line = hint.group() if hint else ""
    text = text[len(sep_line) :]
    delimiter, terminator = _sniff(text)
    if hint:
        delimiter = hint.group("sep")
    records: list[tuple[str, ...]] = []
    # strict: a stray quote must be an error, not a cell that silently swallows the rows after
    # it (or loses the quote on write-back).
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        records.extend(map(tuple, reader))  # as far as it reads, on an error too
    except csv.Error as err:
        where = f"{name}: row {len(records) + 1}"
        if "unexpected end of data" in str(err):
            raise SheetError(
                f'{where}: a quote (") opens a cell that is never closed, so every line after '
                "it would read as one cell; remove the stray quote or close it"
            ) from None
        if "expected after" in str(err):
            raise SheetError(
                f'{where}: text follows the closing quote (") of a cell; quote the whole cell '
                "or remove the stray quote"
            ) from None
        raise SheetError(f"{where}: {err}") from None
    final_newline = text.endswith(("\n", "\r"))
    return CsvLayout(
        encoding, bom, delimiter, terminator, final_newline, tuple(records), sep_line, text
    )


def read_text(path: Path) -> tuple[str, bool, str]:
    """The file's encoding, whether it starts with a byte order mark, and its text (without
    the mark), decoded as a sheet is; for plain lists too."""
    check_file(path)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise unreadable_file(path, err) from err
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise SheetError(f'{path.name}: is UTF-16 text; save it as "CSV UTF-8 (Comma delimited)"')
    bom = data.startswith(codecs.BOM_UTF8)
    encoding, text = _decode(path.name, data[len(codecs.BOM_UTF8) :] if bom else data, bom)
    return encoding, bom, text


def _decode(name: str, body: bytes, bom: bool) -> tuple[str, str]:
    """UTF-8 if it is valid, else the Windows code page Excel writes, else latin-1; refused
    where the result would be garbled text (mojibake) rather than what the user wrote."""
    try:
        return "utf-8", body.decode("utf-8")
    except UnicodeDecodeError as err:
        line = body.count(b"\n", 0, err.start) + 1
        if bom:
            raise SheetError(
                f"{name}: starts with a UTF-8 byte order mark but line {line} is not UTF-8; "
                "save the file again as CSV UTF-8"
            ) from None
        if any(_latin(m.group()) for m in _UTF8_SEQUENCE.finditer(body)):
            raise SheetError(
                f"{name}: line {line} is not UTF-8 while other lines are: the file mixes two "
                "encodings. Open it in a spreadsheet and save it as CSV UTF-8"
            ) from None
    mac = _mac_roman(body)
    if mac is not None:
        line = len(re.findall(rb"\r\n|\r|\n", body[:mac])) + 1  # Excel for Mac ends lines in CR
        right, wrong = (_word(body.decode(e, "replace"), mac) for e in ("mac_roman", "cp1252"))
        raise SheetError(
            f'{name}: is Mac Roman text (Excel for Mac\'s "CSV (Macintosh)"), not UTF-8: line '
            f"{line}'s {right!r} would read as {wrong!r}. Save it as CSV UTF-8 (Excel: Save As, "
            '"CSV UTF-8 (Comma delimited)") and run again'
        )
    try:
        encoding, text = "cp1252", body.decode("cp1252")
    except UnicodeDecodeError:
        encoding, text = "latin-1", body.decode("latin-1")
    unlikely = _UNLIKELY.search(text)
    if unlikely:
        at = unlikely.start()
        line = text.count("\n", 0, at) + 1
        snippet = text[max(text.rfind("\n", 0, at) + 1, at - 12) : at + 12].split("\n")[0]
        raise SheetError(
            f"{name}: is not UTF-8, and read as Windows-1252 line {line} gives {snippet!r}, which "
            "looks garbled (another encoding, such as Central European?). Save the file as "
            "CSV UTF-8 and run again"
        )
    return encoding, text


def _mac_roman(body: bytes) -> int | None:
    """Where text that is not UTF-8 reads as Mac Roman rather than as Windows-1252: the offset
    of the first byte only Mac Roman reads sensibly; None when Windows reads it as well.

    Both are one byte a character, so the two readings line up; each byte above ASCII votes for
    the reading where it makes sense and against the one where it is odd (see `_odd`): Mac
    Roman's "é" is Windows' "Ž" ("RenŽ"), its "ü" Windows' "Ÿ" ("MŸller"), its "ß" Windows'
    "§" ("Stra§e"); Windows' "é" is Mac's "È" ("RenÈe"), its "ü" Mac's "¸" ("M¸ller")."""
    windows, mac = body.decode("cp1252", "replace"), body.decode("mac_roman")
    votes, first = 0, None
    for match in itertools.islice(re.finditer(rb"[\x80-\xff]", body), _MAC_SAMPLE):
        at = match.start()
        vote = _odd(windows, at) - _odd(mac, at)
        votes += vote
        if vote > 0 and first is None:
            first = at
    return first if votes > 0 else None


def _odd(text: str, at: int) -> bool:
    """Whether the character at `at` is odd where it stands: a code no text has, a capital
    inside a lower-case word, or a symbol between two letters (quotes and dashes can be)."""
    char = text[at]
    before = text[at - 1] if at else " "
    after = text[at + 1] if at + 1 < len(text) else " "
    if char == "\ufffd" or "\x80" <= char <= "\x9f":
        return True
    if char.isupper():
        return before.isalpha() and (before.islower() or after.islower())
    return (
        not char.isalpha()
        and unicodedata.category(char) not in ("Pi", "Pf", "Pd", "Zs")
        and before.isalpha()
        and after.isalpha()
    )


def _word(text: str, at: int) -> str:
    """The word around offset `at`, to quote in a message."""
    start = max(text.rfind(c, 0, at) for c in _WORD_ENDS) + 1
    ends = [i for i in (text.find(c, at) for c in _WORD_ENDS) if i != -1]
    return text[max(start, at - 20) : min([*ends, at + 20])]


def _sniff(text: str) -> tuple[str, str]:
    """The delimiter and line end. The delimiter is the one that splits the first records into
    the same number of cells, more than one; ties go to the one most frequent in the header."""
    counts = dict.fromkeys(_DELIMITERS, 0)
    terminator = "\r\n"
    quoted, previous = False, ""
    for i, char in enumerate(text):
        if quoted:
            quoted = char != '"'  # of a doubled quote, the second one opens again
        elif char == '"' and previous in ("", '"', *_DELIMITERS):
            quoted = True  # as for the csv module, a quote opens only at the start of a cell
        elif char in counts:
            counts[char] += 1
        elif char in "\r\n":
            terminator = "\r\n" if text.startswith("\r\n", i) else char
            break
        previous = char
    sample = text[:65536]
    cut = len(sample) < len(text)
    scores: dict[str, tuple[float, int]] = {}
    for delimiter in _DELIMITERS:
        reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter, strict=True)
        records: list[list[str]] = []
        try:
            records.extend(r for r in itertools.islice(reader, 50) if r)
        except csv.Error as err:
            # The wrong delimiter often leaves quotes where none can be; but a sample cut
            # inside a long quoted cell ends "unexpectedly" with the right one too.
            if not (cut and "unexpected end of data" in str(err)):
                continue
        if cut:
            records = records[:-1]  # the sample may end inside the last record
        width = len(records[0]) if records else 0
        alike = sum(len(r) == width for r in records) / len(records) if width > 1 else 0.0
        scores[delimiter] = (alike, counts[delimiter])
    return max(_DELIMITERS, key=lambda d: scores.get(d, (0.0, 0))), terminator
