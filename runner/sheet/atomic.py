"""Replacing a sheet file in one step: a crash leaves the old file or the new one, never half.

The new content goes to a temporary file beside the target, is synced, and is renamed over it;
the folder is then synced so the rename itself survives a power cut.
"""

from __future__ import annotations

import contextlib
import glob
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from .. import failpoints
from ..errors import SheetError


def atomic_write(
    target: Path,
    source: Path,
    write: Callable[[BinaryIO], object],
    check: Callable[[], object] | None = None,
) -> os.stat_result:
    """Replace `target` in one step, with the permission bits it (or else `source`) has; the
    new file's stat as written (the rename changes its ctime, not its inode, size or mtime).

    `check` runs last before the rename, with the new file complete and synced; raising there
    cancels the write (the caller's last look that the source did not change meanwhile).
    """
    real = Path(os.path.realpath(target))  # through a symlink, so the link stays a link
    try:
        mode = stat.S_IMODE(os.stat(real if real.exists() else source).st_mode)
        handle, temp = tempfile.mkstemp(dir=real.parent, prefix=f".{real.name}.", suffix=".tmp")
    except OSError as err:
        raise _unwritable(target, err) from err
    try:
        with os.fdopen(handle, "wb") as out:
            write(out)
            out.flush()
            failpoints.reached(failpoints.SHEET_MID_WRITE)
            os.fsync(out.fileno())
            written = os.fstat(out.fileno())
        os.chmod(temp, mode)
        if check is not None:
            check()
        os.replace(temp, real)
        _sync_folder(real.parent)
        return written
    except BaseException as err:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        if isinstance(err, OSError):
            raise _unwritable(target, err) from err
        raise


def tidy(target: Path) -> None:
    """A process killed mid-write leaves its temporary file behind; remove such leftovers."""
    real = Path(os.path.realpath(target))
    for stale in real.parent.glob(f".{glob.escape(real.name)}.*.tmp"):
        with contextlib.suppress(OSError):
            stale.unlink()


def same_file(a: Path, b: Path) -> bool:
    return a.exists() and b.exists() and os.path.samefile(a, b)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable, so a power cut cannot bring the old file back."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _unwritable(target: Path, err: OSError) -> SheetError:
    return SheetError(
        f"{target.name}: cannot be written: {err.strerror or err} (is it open in another program?)"
    )


def open_elsewhere(path: Path) -> str | None:
    """The program that has `path` open for editing, known by the owner file it keeps beside
    it: Excel's `~$NAME` (Office shortens long names by their first one or two characters) or
    LibreOffice's `.~lock.NAME#`."""
    name = path.name
    if any((path.parent / f"~${n}").exists() for n in (name, name[1:], name[2:])):
        return "Excel"
    if (path.parent / f".~lock.{name}#").exists():
        return "LibreOffice"
    return None
