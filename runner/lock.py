"""The campaign lock: one run at a time, released by the OS however the holder dies."""

from __future__ import annotations

import os
import sys
from pathlib import Path

if sys.platform == "win32":
    import msvcrt
else:
    import fcntl

from .errors import CampaignBusy, ConfigError

# Windows locks byte ranges, and a locked byte cannot be read by the next process; the lock
# takes a byte past the pid written at the start of the file.
_LOCK_BYTE = 1024


class CampaignLock:
    """Held while a run sends; a second run is refused (CampaignBusy) and told who holds it.

    `name` is what the refusal calls the campaign (the journal's file name).
    """

    def __init__(self, path: Path, name: str) -> None:
        self.path = path
        self.name = name
        self._fd: int | None = None

    def __enter__(self) -> CampaignLock:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise ConfigError(
                f"{self.path.parent}: cannot create the state folder: {err.strerror}"
            ) from None
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as err:
            raise ConfigError(
                f"{self.path.parent}: cannot use this state folder: {err.strerror}; "
                "choose another with --state-dir"
            ) from None
        if not _try_lock(fd):
            os.lseek(fd, 0, os.SEEK_SET)
            holder = os.read(fd, 32).decode(errors="replace").strip(" \x00") or "?"
            os.close(fd)
            raise CampaignBusy(
                f"{self.name}: this campaign is being run by another process (pid {holder}); "
                "nothing was sent; wait for it to finish"
            )
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, str(os.getpid()).encode().ljust(32))
        self._fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor releases the lock
            self._fd = None


def _try_lock(fd: int) -> bool:
    """Take an exclusive lock that the OS drops when the process dies, however it dies."""
    if sys.platform == "win32":
        os.lseek(fd, _LOCK_BYTE, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    else:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True
