"""What to do about a row that was not sent, from its status and its reason: the report's
"what to do" column. Pure.

The reasons are the runner's own words (answers.py, rows.py, templates.py, screen.py); where one
names a column of the sheet, the advice names the very cell to fix.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from openpyxl.utils import get_column_letter

from ..approval import AWAITING
from ..plans import NORMAL_ONLY, NOT_REACHABLE
from ..status import Status


@dataclass(frozen=True)
class Where:
    """What the advice refers to: the sheet the rows are in, the file whose status cells the
    runner writes, and the command that runs the campaign."""

    sheet: str
    statuses: str
    command: str
    headers: Sequence[str] = ()


def remedy(status: Status, detail: str, row: int, where: Where) -> str:
    """What to do about one row; empty for a status that asks nothing of anyone."""
    if status is Status.FAILED:
        return _failed(detail, where)
    if status is Status.UNKNOWN:
        return (
            "Check on LinkedIn whether it arrived. If it did not, send it again: "
            f"{where.command} --resend-unknown (this sends every unknown row again)."
        )
    if status is Status.INVALID:
        return _invalid(detail, row, where)
    if status is Status.SKIPPED:
        if "do-not-contact" in detail:
            return "Nothing, unless the listing is a mistake: take them off the list to send."
        if detail.startswith(NOT_REACHABLE) and NORMAL_ONLY in detail:
            return (
                "Nothing reaches them from this account: give the row a groupId of a group you "
                "share, or change its messageType cell from normal (inmail, or empty where the "
                "campaign has inmail = true); it is routed again at the next run."
            )
        if detail.startswith(NOT_REACHABLE):
            return (
                "Nothing reaches them from this account: give the row a groupId of a group you "
                "share, or allow InMail (inmail = true, with subject_template); it is routed "
                "again at the next run."
            )
        return (
            "Nothing: another campaign messaged them. Set skip_contacted = false to message "
            "them anyway."
        )
    if status is Status.DUPLICATE:
        return "Nothing: the earlier row speaks for this person."
    if status is Status.PENDING and detail.startswith(AWAITING):
        return (
            "Read its message in the preview (campaign-runner preview), and tick it in the "
            "preview's approved column to send it."
        )
    return ""


def _failed(detail: str, where: Where) -> str:
    again = f"then clear the row's status cell in {where.statuses}: the next run sends it."
    if detail.startswith("profile not found"):
        return (
            "LinkedIn does not know this profile: fix the recipient's cell (the profile URL or "
            "ID); the next run looks the person up again and sends."
        )
    if detail.startswith("HTTP 404"):
        return f"LinkedIn does not know this profile: check the recipient's cell, fix it, {again}"
    if detail.startswith("HTTP 403"):
        return (
            "LinkedIn refused it (not connected, no InMail credits, or the person does not "
            f"take messages): check on LinkedIn; to try once more, {again}"
        )
    return f"Fix what the reason names, {again}"


def _invalid(detail: str, row: int, where: Where) -> str:
    rerun = f"the next run sends it ({where.command})."
    if detail.startswith("no recipient"):
        return f"Fill in the profile URL, ID or URN in row {row} of {where.sheet}; {rerun}"
    if "LinkedIn allows" in detail:
        return f"Shorten the template, or the cells this row gives it; {rerun}"
    if detail.startswith("an InMail needs a subject"):
        return f"Give InMails a subject (subject_template), or send this row as normal; {rerun}"
    cell = cell_named(detail, row, where.headers)
    if cell is not None:
        name, header = cell
        fill = "Fill in" if "(used by " in detail else "Fix"
        default = " or give the template a default" if fill == "Fill in" else ""
        return f"{fill} cell {name} ({header}) of {where.sheet}{default}; {rerun}"
    if detail.split(":", 1)[0].endswith(".j2"):
        return f"Fix the template, or the cells of this row it stumbles on; {rerun}"
    return f"Fix row {row} of {where.sheet} as the reason says; {rerun}"


def cell_named(detail: str, row: int, headers: Sequence[str]) -> tuple[str, str] | None:
    """The cell a reason is about ('C7', its header) where the reason starts with a column's
    name, as the runner's reasons about one cell do: "Company is empty (...)", "LinkedIn URL's
    link ...". The longest name wins: "LinkedIn URL" over "LinkedIn"."""
    found = [
        (len(header), index, header)
        for index, header in enumerate(headers)
        if header.strip() and detail.startswith((f"{header} ", f"{header}'s "))
    ]
    if not found:
        return None
    _, index, header = max(found)
    return f"{get_column_letter(index + 1)}{row}", header
