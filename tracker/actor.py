"""Who makes a change: the local user and host, and the sync run (kept apart from the ORM-bound history)."""

from __future__ import annotations

import getpass
import os
import socket
from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """Who made a change: the local user and host, and the sync run when there is one."""

    user: str | None = None
    host: str | None = None
    run_id: int | None = None

    @classmethod
    def current(cls, run_id: int | None = None) -> Actor:
        user: str | None
        try:
            user = getpass.getuser()
        except Exception:  # no passwd entry in some containers
            user = os.environ.get("USER")
        return cls(user=user, host=socket.gethostname(), run_id=run_id)
