"""One exception base for everything the runner reports to a user, and the exit codes.

    RunnerError (exit 1)
    ├── InputError (exit 2): nothing was sent
    │   ├── ConfigError      campaign file, flags, environment
    │   ├── SheetError       the recipient sheet
    │   │   ├── SheetChanged     it changed since it was read: read it again
    │   │   ├── SheetInUse       open in Excel: not replaced under it
    │   │   └── LeadsElsewhere   no such worksheet, or no recipient column on it
    │   └── TemplateError    the Jinja templates
    ├── CampaignBusy (exit 75): another runner holds the campaign; try again later
    ├── JournalError (exit 1): the journal cannot be trusted or used; nothing more is sent
    └── ApiFatal (exit 1): an answer that must stop the run (401)

Every message is one line a user can act on; it starts with where the problem is
(`leads.xlsx: row 17: ...`). Third-party exceptions are translated where they enter.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FATAL = 1
    INPUT = 2
    PAUSED = 75  # EX_TEMPFAIL from sysexits.h: "try again later", which is what a pause is
    INTERRUPTED = 130  # 128 + SIGINT, as shells report a Ctrl-C


class RunnerError(Exception):
    """Base of every error the runner reports; carries its process exit code."""

    exit_code = ExitCode.FATAL


class InputError(RunnerError):
    """Bad input or configuration: nothing is sent."""

    exit_code = ExitCode.INPUT


class ConfigError(InputError):
    """The campaign file, a command-line flag or the environment is wrong."""


class SheetError(InputError):
    """The recipient sheet cannot be used."""


class SheetChanged(SheetError):
    """The sheet changed on disk since it was read (a user's save): read it again, then write."""


class SheetInUse(SheetError):
    """A spreadsheet program has the file open; replacing it would be lost at its next save."""


class LeadsElsewhere(SheetError):
    """The worksheet named does not exist, or the one read (`sheet`) has no recipient column:
    in a workbook, the leads may be on another worksheet."""

    def __init__(self, message: str, sheet: str | None = None) -> None:
        super().__init__(message)
        self.sheet = sheet


class TemplateError(InputError):
    """A template cannot be used for this campaign."""


class CampaignBusy(RunnerError):
    """Another runner process holds this campaign's lock: nothing was sent, try again later."""

    exit_code = ExitCode.PAUSED


class JournalError(RunnerError):
    """The journal is damaged or unusable: sending without it could message people twice."""

    exit_code = ExitCode.FATAL


class ApiFatal(RunnerError):
    """The API gave an answer after which no further request makes sense (401)."""

    exit_code = ExitCode.FATAL
