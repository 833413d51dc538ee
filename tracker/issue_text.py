"""What an issue says: the content-derived recovery marker and the body intro from a user template."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from string import Template

from tracker.backends.base import IssueContext
from tracker.backends.block import one_line
from tracker.config import Config
from tracker.errors import ConfigError

DEFAULT_TEMPLATE = """\
Action item from the postmortem **$postmortem_title** ($incident).
$postmortem_link
Owner: $owner · Deadline: $deadline

This issue is tracked by `tracker`: keep the block below as it is (edit its Deadline line to move
the deadline); everything else in this description is yours.
"""


def make_marker(target: str, postmortem_slug: str, fingerprint: str) -> str:
    """Derived from content identity (never a row id) so a lost or copied database finds its issues."""
    digest = hashlib.sha256(f"{target}\x00{postmortem_slug}\x00{fingerprint}".encode()).hexdigest()
    return f"tracker-{digest[:24]}"


def render_intro(context: IssueContext, config: Config, template_path: str | None) -> str:
    """The Markdown above the tracker block, from the target's body_template or the default."""
    template_text = DEFAULT_TEMPLATE
    if template_path:
        path = Path(template_path)
        if not path.is_absolute():
            path = config.base_dir / path
        try:
            template_text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"cannot read body_template {path}: {exc.strerror}") from None
    incident = ", ".join(
        part
        for part in (
            context.incident_date.isoformat() if context.incident_date else None,
            f"severity {context.severity}" if context.severity else None,
        )
        if part
    )
    link = f"Postmortem: {context.postmortem_url}" if context.postmortem_url else ""
    values = {
        "postmortem_title": context.postmortem_title,
        "postmortem_slug": context.postmortem_slug,
        "incident": incident or "date not recorded",
        "postmortem_link": link,
        "postmortem_url": context.postmortem_url or "",
        # One line each, escaped like the block's: a line break in a value must not start a block.
        "owner": one_line(context.owner_text or "none"),
        "deadline": one_line(context.deadline_text or "none"),
        "notes": "\n".join(f"- {note}" for note in context.notes),
    }
    try:
        text = Template(template_text).safe_substitute(values)
    except ValueError as exc:
        raise ConfigError(f"body_template {template_path}: {exc}") from None
    if context.notes and "$notes" not in template_text:
        text = text.rstrip() + "\n\nBefore starting, note:\n" + values["notes"] + "\n"
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def postmortem_url(config: Config, slug: str) -> str | None:
    return config.org.postmortem_url.replace("{slug}", slug) if config.org.postmortem_url else None
