"""Which organisations' documents shaped each import form and lint rule, so a benchmark can leave one out.

A rule written while reading one organisation's postmortems scores that organisation optimistically.
Every form or rule that was shaped by particular example documents names their organisations with
`Shaped(...)`; `bench/understanding.py` scores each organisation with `holding_out(org)` in force, which
switches off every form shaped by that organisation alone. A form no organisation shaped (written from
the postmortem guide or a generic description of a document kind) is never switched off.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

_HELD_OUT: ContextVar[str | None] = ContextVar("tracker_held_out_organisation", default=None)


@dataclass(frozen=True)
class Shaped:
    """The organisations whose documents a form or rule was written from (lower-case GitHub owners)."""

    organisations: frozenset[str]

    def __init__(self, *organisations: str) -> None:
        object.__setattr__(self, "organisations", frozenset(o.lower() for o in organisations))

    @property
    def active(self) -> bool:
        """False while the only organisation that justifies this form is the one being held out."""
        held_out = _HELD_OUT.get()
        return held_out is None or not self.organisations or self.organisations != {held_out}


GENERIC = Shaped()


@contextmanager
def holding_out(organisation: str | None) -> Iterator[None]:
    """Score as if the forms shaped by `organisation` alone had never been written."""
    token = _HELD_OUT.set(organisation.lower() if organisation else None)
    try:
        yield
    finally:
        _HELD_OUT.reset(token)


def held_out() -> str | None:
    return _HELD_OUT.get()
