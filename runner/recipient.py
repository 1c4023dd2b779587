"""Who a row is for: a person, by every name they are known by (a public ID, a URN). Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import InitVar, field
from typing import TypeVar

from .perrow import per_row


@per_row
class Recipient:
    public_id: str | None = None
    urn: str | None = None
    # Every name this person is known by; two rows sharing one are the same person. Worked
    # out once: it is asked for several times a row.
    idents: tuple[str, ...] = field(init=False, repr=False, compare=False)
    # The same person as known elsewhere (the sheet's row for a journal's entry): the names
    # both have are one string, not two, where a campaign holds a record of each.
    like: InitVar[Recipient | None] = None

    def __post_init__(self, like: Recipient | None) -> None:
        names = []
        if self.urn:
            same = like if like is not None and like.urn == self.urn else None
            names.append(same.idents[0] if same else f"urn:{self.urn}")
        if self.public_id:
            # LinkedIn public IDs are case-insensitive; URNs are not.
            same = like if like is not None and like.public_id == self.public_id else None
            names.append(same.idents[-1] if same else f"id:{self.public_id.lower()}")
        object.__setattr__(self, "idents", tuple(names))

    @property
    def key(self) -> str:
        """The one name the journal files this person under."""
        return self.idents[0]

    def __str__(self) -> str:
        return self.public_id or self.urn or "?"


V = TypeVar("V")


def first_known(by_ident: Mapping[str, V], idents: tuple[str, ...]) -> V | None:
    """What `by_ident` holds for the first of a person's names it has, if any. (A loop, not
    next() over a generator: it runs for every row, at several stages.)"""
    if by_ident:
        for ident in idents:
            if ident in by_ident:
                return by_ident[ident]
    return None
