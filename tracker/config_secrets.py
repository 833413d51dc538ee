"""What a config file must not do with secrets: hold one literally, or be writable or readable by others."""

from __future__ import annotations

import re
import stat
from pathlib import Path
from typing import Any

from tracker.config_keys import SECRET_KEYS

DATABASE_ENV = "TRACKER_DATABASE_URL"  # overrides [database]; the safe home of a URL with a password

# Values that look like real credentials: a config file must name an environment variable instead.
_SECRET_VALUE = re.compile(
    r"^(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|ATATT[A-Za-z0-9_\-=]{20,}|"
    r"xox[abp]-[A-Za-z0-9-]{10,}|-----BEGIN [A-Z ]*PRIVATE KEY-----.*|"
    # Chat webhook URLs are credentials too: whoever holds one posts to the channel.
    r"https://hooks\.slack\.com/\S+|https://[\w.-]+\.webhook\.office\.com/\S+|"
    r"https://[\w.-]+\.(?:logic\.azure\.com|api\.powerplatform\.com)\S*[?&]sig=\S+)$",
    re.DOTALL,
)


def permission_warnings(path: Path) -> list[str]:
    """A file others may write can send issues anywhere."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return []
    if mode & (stat.S_IWOTH | stat.S_IWGRP):
        return [f"{path} is writable by others: anyone who can edit it can redirect where issues go"]
    return []


def readable_password_warnings(files: list[Path], data: dict[str, Any]) -> list[str]:
    """Tokens never live in the file, but a database URL can carry a password: then others must not read it."""
    database = data.get("database")
    url = database.get("url") if isinstance(database, dict) else None
    if not isinstance(url, str) or "@" not in url:
        return []
    try:
        from sqlalchemy.engine import make_url

        password = make_url(url).password
    except Exception:  # a broken URL is reported when the database is opened
        return []
    found = []
    for file in files:
        try:
            readable = file.stat().st_mode & (stat.S_IRGRP | stat.S_IROTH)
            holds = readable and str(password) in file.read_text(encoding="utf-8")
        except OSError:
            continue
        if password and holds:
            found.append(
                f"{file} holds a database password and is readable by others: "
                f"chmod 600 it, or put the URL in ${DATABASE_ENV} instead"
            )
    return found


def find_literal_secrets(data: Any, trail: str, problems: list[str]) -> None:
    if isinstance(data, dict):
        for key, value in data.items():
            find_literal_secrets(value, f"{trail}.{key}" if trail else str(key), problems)
    elif isinstance(data, list):
        for value in data:
            find_literal_secrets(value, trail, problems)
    elif isinstance(data, str) and _SECRET_VALUE.match(data.strip()):
        section, _, key = trail.rpartition(".")
        if key.lower() in SECRET_KEYS:
            return  # the unknown-key check already says this key must not hold a secret
        problems.append(
            f"[{section}] {key}: looks like a literal credential; put it in an environment variable "
            'and name that variable here (e.g. token_env = "GITHUB_TOKEN")'
        )
