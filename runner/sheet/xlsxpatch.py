"""Writing the status columns into an .xlsx/.xlsm by patching its package, not re-saving it.

Every ZIP entry is copied with the same (decompressed) bytes, in the same order, with its
compression method and timestamp, except the parts the write must change: the worksheet
(streamed row by row: see sheetstream and rowpatch), and where needed the Tables on it and the
sheet's filter (widened over the status columns: see tables), the filter's defined name in
`xl/workbook.xml` and the calculation chain (see bookparts), and the styles part the runner's
cell formats are appended to (see look and stylesheet; a workbook without one gets one).
Charts, pictures, pivots, form controls, macros, printer settings and whatever else the
workbook holds are never opened.

The new package is written beside the target and renamed over it in one step (see atomic).
"""

from __future__ import annotations

import io
import shutil
import tempfile
import time
import zipfile
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, BinaryIO

from ..errors import SheetError
from .atomic import atomic_write
from .bookparts import drop_content_type, drop_from_chain, drop_relationship, widen_filter_name
from .grid import unreadable_file
from .look import Look, Styler
from .package import ZIP_ERRORS, Package, SheetPart, rel_type
from .refs import Area, cell_name
from .sheetstream import Rewritten, rewrite_sheet
from .stylesheet import Stylesheet
from .tables import FilterPlan, edit_table, plan_filters, sheet_pivots, sheet_tables
from .writes import Writes
from .xmlscan import Damaged

# A rewritten worksheet bigger than this waits on disk, not in memory. Held in memory up to
# 16 MB, a large sheet's final write was a resume's peak (the buffer grows, then is copied out:
# 28 MiB at 100,000 rows); the temporary file costs no time the bench can see.
_SPOOL = 4 << 20


@dataclass(frozen=True)
class StatusBlock:
    """Where the runner's columns are: `header_row` (1-based) holds their names; `columns` are
    their 0-based columns and `names` their header texts, in the same order; `new` holds the
    indices (into `columns`) of the header cells the write must fill in."""

    header_row: int
    columns: tuple[int, ...]
    names: tuple[str, ...]
    new: frozenset[int] = frozenset()
    # A column of the data the statuses are about (the recipient's): only a Table or filter
    # holding it is widened over the status columns; another (a lookup beside it) is not theirs.
    anchor: int | None = None
    # How the cells written look (see look); None leaves each the style the sheet gives it.
    look: Look | None = None
    # The sheet's reader found every row numbered and in order: the rows not written may be
    # copied unread (see sheetstream).
    rows_in_order: bool = False


@dataclass(frozen=True)
class PatchResult:
    """What the write did beyond the cells: `widened` names the Tables and filters that now
    include the status columns; `notes` says what could not be widened, and why."""

    widened: tuple[str, ...]
    notes: tuple[str, ...]


def _nothing() -> None:
    pass


def patch_statuses(
    source: Path,
    target: Path | None,
    sheet_name: str | None,
    block: StatusBlock,
    values: Mapping[int, Sequence[str]],
    *,
    check: Callable[[], object] = _nothing,
) -> PatchResult:
    """Write `values` into sheet `sheet_name` (None: the first visible one) of workbook `source`,
    as `target` (which may be `source`).

    `values[row][i]` is the final text of cell (`row`, `block.columns[i]`), `row` 1-based: text
    is written as is (never a formula: neutralising a leading "=" is the caller's), with
    characters XML cannot hold as "?" and at most 32,767 characters; "" empties the cell. Rows
    not in `values` keep their cells. `check` runs just before the rename and may raise to
    cancel (the temporary file, `.{target.name}.*.tmp`, is then removed). With `target` None,
    a trial: it raises what the write would and writes nothing (nor spends time on what cannot
    raise: the rows without formulas are not patched, the package not compressed).

    SheetError (one line, with the file's name) for a workbook this cannot write: not an
    .xlsx/.xlsm package (encrypted, .xls, .xlsb, damaged), no such sheet, or a status cell that
    is merged, inside a pivot table's report, inside an array formula's result, or the first
    cell of a shared formula other cells use. ValueError for `block`/`values` that do not fit.
    """
    source = Path(source)
    _check_arguments(block, values)
    names = dict(zip(block.columns, block.names, strict=True))
    header = {block.columns[i]: block.names[i] for i in sorted(block.new)}
    with Package(source) as package, ExitStack() as stack:
        spool: IO[bytes] = _Discard()
        if target is not None:
            spool = stack.enter_context(tempfile.SpooledTemporaryFile(_SPOOL))
        sheet = package.sheet(sheet_name)
        styles = Stylesheet(package) if block.look else None
        styler = Styler(styles, block.look, block.columns) if styles and block.look else None
        writes = Writes(
            block.header_row, header, block.columns, values, styler, block.rows_in_order
        )
        tables = sheet_tables(package, sheet.part)
        rewritten = _rewrite(package, sheet, writes, spool, trial=target is None)
        tail = rewritten.tail
        _check_cells(package.name, tail.merges, sheet_pivots(package, sheet.part), writes)
        sheet_filter = tail.autofilter[2] if tail.autofilter else None
        plan = plan_filters(
            tables, sheet_filter, tail.merges, block.header_row, names, block.new, block.anchor
        )
        spool.write(tail.with_filter(plan.sheet_filter) if plan.sheet_filter else tail.data)
        spool.flush()
        parts, dropped = _other_parts(package, sheet, plan, sheet_filter, rewritten)
        if styles is not None:
            parts.update(styles.parts(package, parts))
        if target is None:
            _read_others(package, {*parts, sheet.part}, dropped)
        else:
            sizes = {sheet.part: spool.tell()}

            def write(out: BinaryIO) -> None:
                spool.seek(0)
                _write_package(package, out, {**parts, sheet.part: spool}, sizes, dropped)

            atomic_write(Path(target), source, write, check)
    widened = [f'Table "{edit.table.name}" ({edit.ref})' for edit in plan.tables]
    if plan.sheet_filter is not None:
        widened.append(f"the sheet's filter ({plan.sheet_filter})")
    return PatchResult(tuple(widened), plan.notes)


def _check_arguments(block: StatusBlock, values: Mapping[int, Sequence[str]]) -> None:
    """Mistakes of the caller's (not of the user's sheet): ValueError."""
    if len(block.columns) != len(block.names) or len(set(block.columns)) != len(block.columns):
        raise ValueError("StatusBlock needs one name per column, and no column twice")
    if not block.columns or min(block.columns) < 0 or max(block.columns) > 16383:
        raise ValueError("StatusBlock columns must be between 0 and 16383")
    if any(i not in range(len(block.columns)) for i in block.new) or block.header_row < 1:
        raise ValueError("StatusBlock.new must index columns, and header_row be 1 or more")
    for row, texts in values.items():
        if row == block.header_row or not 1 <= row <= 1048576 or len(texts) != len(block.columns):
            raise ValueError(f"values for row {row} do not fit the block")


def _rewrite(
    package: Package, sheet: SheetPart, writes: Writes, spool: IO[bytes], trial: bool
) -> Rewritten:
    entry = package.part_name(sheet.part)
    assert entry is not None  # Package found it when it listed the sheets
    try:
        with package.zip.open(entry) as raw:
            return rewrite_sheet(raw, spool, writes, package.name, trial)
    except Damaged as err:
        raise package.damaged(f"{sheet.part}: {err}") from err
    except ZIP_ERRORS as err:
        raise package.damaged(f"{sheet.part}: {err}") from err
    except OSError as err:
        raise unreadable_file(package.path, err) from err


def _check_cells(
    name: str, merges: Sequence[Area], pivots: Sequence[tuple[str, Area]], writes: Writes
) -> None:
    """Status cells the write must not touch: merged ones (as the current writer refuses:
    a value there is hidden, or spreads over cells it does not belong to), and cells of a
    pivot table's report (its next refresh would write over the statuses)."""
    merged = _first_written(
        [area for area in merges if area.row1 != area.row2 or area.col1 != area.col2], writes
    )
    if merged is not None:
        raise SheetError(
            f"{name}: row {merged[0]}: cell {cell_name(*merged)} is part of merged cells; "
            "unmerge them so the status can be written there"
        )
    for pivot, area in pivots:
        hit = _first_written([area], writes)
        if hit is not None:
            raise SheetError(
                f'{name}: row {hit[0]}: cell {cell_name(*hit)} is inside pivot table "{pivot}" '
                f"({area}); move the pivot table away from the status columns so the statuses "
                "can be written there"
            )


def _first_written(areas: Sequence[Area], writes: Writes) -> tuple[int, int] | None:
    """The first cell (row, column) in `areas` the write sets."""
    numbers = writes.numbers()
    hits = [
        (row, col)
        for area in areas
        for row in numbers[bisect_left(numbers, area.row1) : bisect_right(numbers, area.row2)]
        for col in range(area.col1, area.col2 + 1)
        if writes.holds(row, col)
    ]
    return min(hits, default=None)


def _other_parts(
    package: Package,
    sheet: SheetPart,
    plan: FilterPlan,
    old_filter: Area | None,
    rewritten: Rewritten,
) -> tuple[dict[str, bytes], set[str]]:
    """The new bytes of the parts besides the worksheet that change, and the parts dropped."""
    parts = {
        edit.table.part: edit_table(package.read(edit.table.part), edit) for edit in plan.tables
    }
    if plan.sheet_filter is not None and old_filter is not None:
        book = widen_filter_name(
            package.read(package.workbook), sheet.index, old_filter, plan.sheet_filter
        )
        if book is not None:
            parts[package.workbook] = book
    dropped: set[str] = set()
    if rewritten.formulas:
        dropped = _drop_formulas(package, sheet, set(rewritten.formulas), parts)
    return parts, dropped


def _drop_formulas(
    package: Package, sheet: SheetPart, cells: set[str], parts: dict[str, bytes]
) -> set[str]:
    rels = package.rels(package.workbook)
    rid, rel = next(((i, r) for i, r in rels.items() if rel_type(r.type, "calcChain")), ("", None))
    if rel is None or package.part_name(rel.target) is None:
        return set()
    chain = drop_from_chain(package.read(rel.target), sheet.sheet_id, cells)
    if chain is not None:
        parts[rel.target] = chain
        return set()
    folder, name = package.workbook.rpartition("/")[::2]
    rels_part = f"{folder}/_rels/{name}.rels" if folder else f"_rels/{name}.rels"
    parts["[Content_Types].xml"] = drop_content_type(
        package.read("[Content_Types].xml"), rel.target
    )
    parts[rels_part] = drop_relationship(package.read(rels_part), rid)
    return {rel.target}


class _Discard(io.BytesIO):
    """Where a trial's worksheet goes: nowhere."""

    def write(self, data: Any) -> int:
        return len(data)


def _read_others(package: Package, replaced: set[str], dropped: set[str]) -> None:
    """Read every entry a write would copy, as it would: a damaged one stops a trial too."""
    skip = {name.casefold() for name in replaced | dropped}
    for info in package.zip.infolist():
        if info.filename.casefold() in skip or info.is_dir():
            continue
        try:
            with package.zip.open(info) as src:
                while src.read(1 << 20):
                    pass
        except ZIP_ERRORS as err:
            raise package.damaged(f"part {info.filename}: {err}") from err
        except OSError as err:
            raise unreadable_file(package.path, err) from err


# zlib's fastest level: compressing the parts again was most of a checkpoint's time (0.86 s
# at level 6 for a 100,000-row sheet, 0.21 s at 1), for parts 29% larger. Excel itself writes
# no smaller: on calamine's test workbooks, Excel Online's sheets are the size level 1 makes,
# and Excel's own between levels 1 and 3.
_LEVEL = 1


def _write_package(
    package: Package,
    out: BinaryIO,
    parts: Mapping[str, bytes | IO[bytes]],
    sizes: Mapping[str, int],
    dropped: set[str],
) -> None:
    """Every entry of `package` into ZIP `out`, in order; `parts` replace entries' contents,
    and those it has no entry for are added after them."""
    folded = {name.casefold(): content for name, content in parts.items()}
    gone = {name.casefold() for name in dropped}
    with zipfile.ZipFile(out, "w", allowZip64=True) as new:
        new.comment = package.zip.comment
        for info in package.zip.infolist():
            if info.filename.casefold() in gone:
                continue
            clone = zipfile.ZipInfo(info.filename, info.date_time)
            clone.compress_type = info.compress_type
            # What `ZipFile.open(info, "w")` compresses with (the ZipFile's own level is for
            # `write` and `writestr` only); Python 3.13 calls it compress_level, and keeps this.
            clone._compresslevel = _LEVEL  # type: ignore[attr-defined]
            clone.external_attr, clone.create_system = info.external_attr, info.create_system
            clone.comment = info.comment
            content = folded.get(info.filename.casefold())
            try:
                _copy_entry(package, new, info, clone, content, sizes.get(info.filename))
            except ZIP_ERRORS as err:
                # Only now is an entry the write does not change read: a damaged one shows here.
                raise package.damaged(f"part {info.filename}: {err}") from err
        for name, content in parts.items():
            if package.part_name(name) is None and isinstance(content, bytes):
                info = zipfile.ZipInfo(name, time.localtime()[:6])
                new.writestr(info, content, zipfile.ZIP_DEFLATED)


def _copy_entry(
    package: Package,
    new: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    clone: zipfile.ZipInfo,
    content: bytes | IO[bytes] | None,
    size: int | None,
) -> None:
    if isinstance(content, bytes) or info.is_dir():
        new.writestr(clone, content if isinstance(content, bytes) else b"")
        return
    clone.file_size = info.file_size if size is None else size  # whether it needs ZIP64
    with new.open(clone, "w") as dst:
        if content is None:
            with package.zip.open(info) as src:
                shutil.copyfileobj(src, dst, 1 << 20)
        else:
            shutil.copyfileobj(content, dst, 1 << 20)
