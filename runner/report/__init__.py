"""What the runner tells a person: the summary after a run (`summary`), the dry run and its
full list of rows (`dryrun`), the `status` command (`status`), and the words they share
(`words`). Only the CLI prints them; the core returns numbers."""

from __future__ import annotations

from .dryrun import dry_run, write_rows
from .status import status_text
from .summary import summary

__all__ = ["dry_run", "status_text", "summary", "write_rows"]
