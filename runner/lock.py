"""Locks that keep runs apart, released by the OS however the holder dies.

Two are taken: the campaign's (its journal: one run of a campaign at a time) and the status
target's (the sheet or `output` written: two campaign files on one sheet, or one campaign run
with two --state-dirs, never write it, and send from it, at once).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from pathlib import Path

if sys.platform == "win32":
    import msvcrt
else:
    import fcntl

from .campaign import Campaign
from .errors import CampaignBusy, ConfigError
from .settings import Places

# Windows locks byte ranges, and a locked byte cannot be read by the next process; the lock
# takes a byte past the pid written at the start of the file.
_LOCK_BYTE = 1024


class CampaignLock:
    """Held while a run sends; a second run is refused (CampaignBusy) and told who holds it.

    `busy` is the refusal's text; `{holder}` in it becomes what the holder wrote: its process ID
    and campaign file.
    """

    def __init__(self, path: Path, busy: str, holder: str = "") -> None:
        self.path = path
        self.busy = busy
        self.holder = f"pid {os.getpid()}" + (f", {holder}" if holder else "")
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
            holder = os.read(fd, _LOCK_BYTE).decode(errors="replace").strip(" \x00") or "?"
            os.close(fd)
            raise CampaignBusy(self.busy.format(holder=holder))
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, self.holder.encode()[: _LOCK_BYTE - 1].ljust(_LOCK_BYTE - 1))
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


def held_by(path: Path) -> str | None:
    """Who holds the lock at `path` now (what they wrote: pid and campaign), or None."""
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError:
        return None  # no lock file: no run has ever held it here
    try:
        if _try_lock(fd):
            return None  # free (closing the descriptor lets it go again)
        os.lseek(fd, 0, os.SEEK_SET)
        return os.read(fd, _LOCK_BYTE).decode(errors="replace").strip(" \x00") or "?"
    finally:
        os.close(fd)


def locks_for(campaign: Campaign, places: Places) -> list[CampaignLock]:
    """The campaign's lock, then the lock of each file it writes or sends from."""
    holder = str(campaign.path)
    locks = [
        CampaignLock(
            places.lock,
            f"{places.journal.name}: this campaign is being run by another process "
            "({holder}); nothing was sent; wait for it to finish",
            holder,
        )
    ]
    target = f"{places.target.name} is being written by another run"
    sheet = f"{campaign.sheet.name}: another run is sending from this sheet"
    for path, busy in ((places.target_lock, target), (places.sheet_lock, sheet)):
        if path is None or any(lock.path == path for lock in locks):
            continue
        locks.append(
            CampaignLock(
                path,
                f"{busy} ({{holder}}); nothing was sent; wait for it to finish (two campaigns "
                "on one sheet take turns)",
                holder,
            )
        )
    return locks


class AccountLocks:
    """One run at a time sends from a LinkedIn account, whatever the campaign: two campaigns
    sharing an account would each keep its daily limit and pace as if alone. A run takes an
    account's lock (in the state folder) before its first send from it and keeps it to the end;
    an account another run holds waits, and its rows with it."""

    def __init__(
        self, folder: Path, sandbox: bool, holder: str, taken: Callable[[str], None]
    ) -> None:
        self.folder = folder / "accounts"
        self.suffix = ".sandbox.lock" if sandbox else ".lock"
        self.holder = holder
        self.taken = taken  # called with each account as this run takes it
        self.held: dict[str, CampaignLock] = {}

    def __enter__(self) -> AccountLocks:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def take(self, account: str) -> str | None:
        """Take `account`'s lock; None when this run holds it, else who holds it."""
        if account in self.held:
            return None
        name = re.sub(r"[^A-Za-z0-9._-]+", "-", account).strip("-.") or "default"
        lock = CampaignLock(self.folder / f"{name}{self.suffix}", "{holder}", self.holder)
        try:
            lock.__enter__()
        except CampaignBusy as busy:
            return str(busy)
        self.held[account] = lock
        self.taken(account)
        return None

    def release(self) -> None:
        for lock in self.held.values():
            lock.__exit__()
        self.held.clear()
