"""The hand-computed data set the report tests share: every figure in them is worked out in the comments."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from tracker.history import Actor, record
from tracker.models import ActionItem, Link, Postmortem, TargetState, utcnow
from tracker.states_session import maintain

CONFIG = """
[org]
timezone = "Europe/Berlin"

[report]
stale_sync_hours = 26

[targets.gh]
kind = "github"
repo = "acme/ops"
token_env = "GH_TOKEN"

[targets.jr]
kind = "jira"
url = "https://jira.example"
project = "OPS"
flavor = "datacenter"
token_env = "JIRA_TOKEN"

[people."dana"]
name = "Dana Whitfield"
team = "payments"

[people."lee"]
name = "Lee Chen"
team = "platform"

[people."sam"]
name = "Sam Ortiz"

[teams.payments]
members = ["dana"]

[teams.platform]
members = ["lee"]

[teams.search]
"""

ACTOR = Actor(user="test", host="test")


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _item(
    session: Session,
    postmortem: Postmortem,
    letter: str,
    *,
    team: str | None,
    owner: str,
    created: str,
    deadline: str | None,
    position: int,
) -> ActionItem:
    """An item as import would make it, with its creation, owner and first-deadline events."""
    when = utc(created)
    first = date.fromisoformat(deadline) if deadline else None
    item = ActionItem(
        postmortem=postmortem,
        fingerprint=f"fp-{letter}",
        position=position,
        title=f"Item {letter}",
        owner_text=f"@{owner}",
        owner_person=owner,
        owner_team=team,
        deadline=first,
        first_deadline=first,
        deadline_text=deadline,
        status="open",
        created_at=when,
        updated_at=when,
    )
    session.add(item)
    session.flush()
    record(session, item, "created", None, item.title, source="document", actor=ACTOR, occurred_at=when)
    record(session, item, "owner_text", None, f"@{owner}", source="document", actor=ACTOR, occurred_at=when)
    record(session, item, "owner_person", None, owner, source="document", actor=ACTOR, occurred_at=when)
    if first:
        record(session, item, "deadline", None, first, source="document", actor=ACTOR, occurred_at=when)
    return item


def _change(
    session: Session,
    item: ActionItem,
    field: str,
    new: Any,
    at: str,
    *,
    source: str = "manual",
    seen: str | None = None,
) -> None:
    """Change a field and record it as having happened at `at` (seen at `seen`, for a late sync)."""
    old = getattr(item, field)
    setattr(item, field, new)
    event = record(session, item, field, old, new, source=source, actor=ACTOR, occurred_at=utc(at))
    if seen:
        event.recorded_at = utc(seen)
    if field == "status" and new in ("done", "wont_do"):
        item.done_at = utc(at)


def build(db_url: str) -> dict[str, int]:
    """Postmortems inc-1 (sev1) and inc-2 (sev2) with items A..H; returns item ids by letter.

    All times are UTC; Europe/Berlin is UTC+1 until 2026-03-29, UTC+2 after.

    A  inc-1 payments dana  deadline 02-01  won't do 01-20
    B  inc-1 payments dana  no deadline     open
    C  inc-1 platform lee   deadline 02-01  in progress 01-25, done 02-03 09:00 (late); 28.958 days
    D  inc-1 platform lee   deadline 02-01, moved 01-20 to 02-15 (+14) and 01-28 to 03-01 (+14);
                            done 02-01 23:30Z = 02-02 00:30 Berlin: late against the first deadline
                            though on time in UTC and against the moved one; 27.5625 days
    E  inc-2 platform dana  deadline 03-01  done 02-28 22:30Z = 23:30 Berlin (on time); 27.5208 days
    F  inc-2 payments sam   deadline 03-01  closed by a stale bot 03-10 (won't do, closed_by_bot)
    G  inc-2 search   dana  deadline 03-20  reassigned to lee 02-15; open (overdue now)
    H  inc-2 search   lee   deadline 03-31  closed on GitHub 03-05 10:00, seen by sync only 03-12
                            (cron was down a week); on time; 32 days
    """
    engine = create_engine(db_url)
    ids: dict[str, int] = {}
    with maintain(Session(engine)) as session:
        one = Postmortem(
            slug="inc-1",
            title="Checkout outage",
            severity="sev1",
            incident_date=date(2026, 1, 4),
            review_date=date(2026, 1, 20),
            services=[],
            extra={},
            created_at=utc("2026-01-05T09:00:00"),
        )
        two = Postmortem(
            slug="inc-2",
            title="Search latency",
            severity="sev2",
            incident_date=date(2026, 1, 30),
            review_date=date(2026, 2, 14),
            services=[],
            extra={},
            created_at=utc("2026-02-01T09:00:00"),
        )
        session.add_all([one, two])
        session.flush()
        jan5, feb1 = "2026-01-05T10:00:00", "2026-02-01T10:00:00"
        a = _item(
            session, one, "A", team="payments", owner="dana", created=jan5, deadline="2026-02-01", position=0
        )
        b = _item(session, one, "B", team="payments", owner="dana", created=jan5, deadline=None, position=1)
        c = _item(
            session, one, "C", team="platform", owner="lee", created=jan5, deadline="2026-02-01", position=2
        )
        d = _item(
            session, one, "D", team="platform", owner="lee", created=jan5, deadline="2026-02-01", position=3
        )
        e = _item(
            session, two, "E", team="platform", owner="dana", created=feb1, deadline="2026-03-01", position=0
        )
        f = _item(
            session, two, "F", team="payments", owner="sam", created=feb1, deadline="2026-03-01", position=1
        )
        g = _item(
            session, two, "G", team="search", owner="dana", created=feb1, deadline="2026-03-20", position=2
        )
        h = _item(
            session, two, "H", team="search", owner="lee", created=feb1, deadline="2026-03-31", position=3
        )
        _change(session, a, "status", "wont_do", "2026-01-20T12:00:00")
        _change(session, c, "status", "in_progress", "2026-01-25T12:00:00")
        _change(session, c, "status", "done", "2026-02-03T09:00:00")
        _change(session, d, "deadline", date(2026, 2, 15), "2026-01-20T12:00:00")
        _change(session, d, "deadline", date(2026, 3, 1), "2026-01-28T12:00:00")
        _change(session, d, "status", "done", "2026-02-01T23:30:00")
        _change(session, e, "status", "done", "2026-02-28T22:30:00")
        _change(session, f, "status", "wont_do", "2026-03-10T08:00:00", source="github")
        f.closed_by_bot = True
        _change(session, g, "owner_text", "@lee", "2026-02-15T12:00:00")
        _change(session, g, "owner_person", "lee", "2026-02-15T12:00:00")
        _change(
            session, h, "status", "done", "2026-03-05T10:00:00", source="github", seen="2026-03-12T06:00:00"
        )
        for item, target in ((c, "gh"), (d, "gh"), (e, "jr"), (f, "gh"), (h, "gh")):
            session.add(
                Link(
                    item=item,
                    target=target,
                    kind="github" if target == "gh" else "jira",
                    state="linked",
                    remote_id=f"r-{item.id}",
                    key=f"{target}-{item.id}",
                    url=f"https://example.test/{item.id}",
                    base={},
                )
            )
        now = utcnow()
        session.add(TargetState(target="gh", kind="github", last_good_sync_at=now - timedelta(hours=2)))
        session.add(TargetState(target="jr", kind="jira", last_good_sync_at=now - timedelta(days=3)))
        session.commit()
        ids = {letter: item.id for letter, item in zip("ABCDEFGH", (a, b, c, d, e, f, g, h), strict=True)}
    engine.dispose()
    return ids


def months_since_january_2026(today: date) -> int:
    """--months that makes the trend reach back to January 2026 from today."""
    return (today.year * 12 + today.month) - (2026 * 12 + 1) + 1


def link_on_jira(db_url: str, item_id: int) -> None:
    """Link an item (already on gh, say) to a Jira issue too: an item on two targets."""
    engine = create_engine(db_url)
    with maintain(Session(engine)) as session:
        item = session.get(ActionItem, item_id)
        session.add(
            Link(
                item=item,
                target="jr",
                kind="jira",
                state="linked",
                remote_id="x-1",
                key="OPS-1",
                url="u",
                base={},
            )
        )
        session.commit()
    engine.dispose()
