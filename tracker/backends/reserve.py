"""The rate-limit reserve as configured: a share of the limit the API reports, or a count of requests."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

_PERCENT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%\s*$")


@dataclass(frozen=True)
class Reserve:
    """Requests of the primary budget sync leaves for other tools: a share of the limit or a count."""

    percent: float | None = None
    count: int | None = None

    def of(self, limit: int) -> int:
        """The requests kept back from a budget of `limit` (a share rounds down: 20% of 4 keeps none)."""
        if self.count is not None:
            return self.count
        return math.floor(limit * (self.percent or 0.0) / 100.0)

    def __str__(self) -> str:
        return f"{self.count}" if self.count is not None else f"{self.percent:g}%"


def parse_reserve(value: object) -> Reserve:
    """`"20%"` (a share of the limit the API reports) or `500` (requests); ValueError says what is wrong."""
    if isinstance(value, bool):
        raise ValueError('expected a percentage such as "20%" or a number of requests such as 500')
    if isinstance(value, int):
        if value < 0:
            raise ValueError(f"a number of requests cannot be negative (got {value})")
        return Reserve(count=value)
    if isinstance(value, str):
        match = _PERCENT.match(value)
        if match:
            percent = float(match.group(1))
            if percent >= 100:
                raise ValueError(f"a share must be below 100% (got {value!r}): sync would never run")
            return Reserve(percent=percent)
        if value.strip().isdigit():
            return Reserve(count=int(value.strip()))
    raise ValueError(
        f'expected a percentage such as "20%" or a number of requests such as 500 (got {value!r})'
    )
