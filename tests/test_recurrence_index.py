"""Recurrence's index gives exactly what the plain scans give (issue 15): on random archives, after
changes and rollbacks, and through `tracker import` of a folder replayed document by document."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from conftest import _postgres_schema
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from tracker.db import upgrade
from tracker.models import ActionItem, Postmortem
from tracker.recurrence import find_matches, still_open_on_same_service
from tracker.recurrence_index import RecurrenceIndex

# Few words and services, so that most items share words, scores tie and services collide.
WORDS = ["alert", "alerting", "queue", "depth", "orders", "api", "pool", "retry", "timeout", "runbook"]
WORDS += ["database", "add", "fix", "the", "on", "canary", "deploy", "latency"]
SERVICES = ["orders-api", "Orders-API", " payments ", "payments", "search", "edge-proxy", ""]
STATUSES = ["open", "open", "in_progress", "done", "wont_do"]
DAY0 = date(2026, 1, 1)


def _title(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 6)))


def _day(rng: random.Random) -> date | None:
    return None if rng.random() < 0.1 else DAY0 + timedelta(days=rng.randint(0, 40))


def _item(rng: random.Random, position: int) -> ActionItem:
    status = rng.choice(STATUSES)
    done_at = None
    if (status in ("done", "wont_do") and rng.random() < 0.6) or rng.random() < 0.05:
        done_at = datetime(2026, 1, 1, 12, tzinfo=UTC) + timedelta(days=rng.randint(0, 50))
    return ActionItem(
        fingerprint=f"fp-{rng.random()}",
        position=position,
        title=_title(rng),
        status=status,
        done_at=done_at,
        owner_text=rng.choice([None, "@dana", "Team Payments"]),
        owner_team=rng.choice([None, "payments"]),
        deadline=rng.choice([None, DAY0 + timedelta(days=rng.randint(0, 60))]),
        removed_at=datetime(2026, 2, 1, tzinfo=UTC) if rng.random() < 0.1 else None,
    )


def _archive(session: Session, rng: random.Random, count: int) -> None:
    for n in range(count):
        postmortem = Postmortem(
            slug=f"pm-{n:03d}" if rng.random() < 0.8 else f"PM.{n}-x",
            title=f"Outage {n}",
            incident_date=_day(rng),
            services=rng.sample(SERVICES, rng.randint(0, 3)),
            extra={},
        )
        postmortem.items = [_item(rng, position) for position in range(rng.randint(0, 6))]
        session.add(postmortem)
    session.flush()


def _compare(session: Session, index: RecurrenceIndex, rng: random.Random, slugs: list[str]) -> int:
    """Ask both for random new incidents; returns how many results were compared (so a test can tell
    it compared something)."""
    compared = 0
    for _ in range(25):
        slug = rng.choice([*slugs, "new-incident"])
        day = _day(rng)
        services = rng.sample(SERVICES, rng.randint(0, 3))
        cause = " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 12)))
        titles = [_title(rng) for _ in range(rng.randint(0, 4))]
        scanned = find_matches(session, slug, day, services, cause, titles)
        assert index.matches(session, slug, day, services, cause, titles) == scanned
        skip = {m.item_id for m in scanned if rng.random() < 0.5}
        same = still_open_on_same_service(session, slug, day, services, skip)
        assert index.same_service(session, slug, day, services, skip) == same
        compared += len(scanned) + len(same)
    return compared


def _change(session: Session, rng: random.Random, slug: str) -> None:
    """What re-importing a document can do to its postmortem: items closed, reopened, removed,
    retitled and added; services and the incident date changed."""
    postmortem = session.scalar(select(Postmortem).where(Postmortem.slug == slug))
    assert postmortem is not None
    for item in postmortem.items:
        choice = rng.random()
        if choice < 0.25:
            item.status, item.done_at = "done", datetime(2026, 1, 20, tzinfo=UTC)
        elif choice < 0.4:
            item.status, item.done_at = "open", None
        elif choice < 0.5:
            item.removed_at = datetime(2026, 3, 1, tzinfo=UTC)
        elif choice < 0.7:
            item.title = _title(rng)
    postmortem.items.append(_item(rng, len(postmortem.items)))
    postmortem.services = rng.sample(SERVICES, rng.randint(0, 3))
    postmortem.incident_date = _day(rng)
    session.flush()


@pytest.mark.parametrize("seed", range(6))
def test_index_finds_what_the_scan_finds(db_url: str, seed: int) -> None:
    rng = random.Random(seed)
    engine = create_engine(db_url)
    upgrade(engine)
    try:
        with Session(engine) as session:
            _archive(session, rng, 40)
            session.commit()
            slugs = list(session.scalars(select(Postmortem.slug)))
            index = RecurrenceIndex()
            compared = _compare(session, index, rng, slugs)
            # A document's import changes its postmortem: forgotten, it is reread in the transaction.
            for slug in rng.sample(slugs, 5):
                _change(session, rng, slug)
                index.forget(slug)
                compared += _compare(session, index, rng, slugs)
            # Rolled back (an error, a dry run): forgotten again, nothing of it remains.
            session.rollback()
            index.forget(*slugs)
            compared += _compare(session, index, rng, slugs)
        assert compared > 100  # the archives make many matches: the comparison is not vacuous
    finally:
        engine.dispose()


def _documents(folder: Path, count: int, seed: int) -> None:
    """Postmortems as `tracker import` reads them: services, a root cause, items open and done, in
    date order and out of it, one re-using another's slug (refused: its transaction rolls back)."""
    rng = random.Random(seed)
    folder.mkdir()
    for n in range(count):
        day = DAY0 + timedelta(days=rng.randint(0, 30))
        services = ", ".join(
            rng.sample(["orders-api", "payments", "search", "Edge-Proxy"], rng.randint(1, 2))
        )
        rows = "\n".join(
            f"| {_title(rng).capitalize()} {n} | @dana | {rng.choice(['Open', 'In progress', 'Done'])} |"
            for _ in range(rng.randint(1, 5))
        )
        slug = "pm-003" if n == 7 else f"pm-{n:03d}"
        cause = " ".join(rng.choice(WORDS) for _ in range(15))
        (folder / f"{n:03d}-{slug}.md").write_text(
            f"---\nslug: {slug}\nincident_date: {day.isoformat()}\n---\n# Outage {n}\n\n"
            f"Services affected: {services}\n\n## Root cause\n\n{cause}.\n\n"
            f"## Action items\n\n| Action | Owner | Status |\n| --- | --- | --- |\n{rows}\n",
            encoding="utf-8",
        )


def _stored(url: str) -> dict[str, dict[str, list[dict[str, object]]]]:
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            return {
                p.slug: {k: v for k, v in (p.extra or {}).items() if k in ("recurrence", "same_service")}
                for p in session.scalars(select(Postmortem))
            }
    finally:
        engine.dispose()


def _replay_with_scans(url: str, workdir: Path, folder: Path) -> None:
    """The plain definition: each document imported in its own transaction, in the command's order,
    its recurrences found by scanning (`find_matches`, `still_open_on_same_service`)."""
    from tracker.app import AppContext
    from tracker.errors import TrackerError
    from tracker.importing.parser import parse_document
    from tracker.importing.refs import jira_projects
    from tracker.importing.source import expand, read
    from tracker.importing.upsert import Importer
    from tracker.recurrence import record_matches, record_same_service

    config = workdir / "scan.toml"
    config.write_text(f'[database]\nurl = "{url}"\n', encoding="utf-8")
    app = AppContext(str(config))
    app.ensure_database(create=True)
    try:
        for name, path in expand((str(folder),), []):
            assert path is not None
            source = read(name, path)
            parsed = parse_document(
                source.text, name, jira_projects(app.config.targets), None, app.config.importing.sections
            )
            try:
                with app.session() as session:
                    importer = Importer(session, app.config, app.resolver, app.actor, app.today())
                    result = importer.run(
                        parsed, source_path=str(path.resolve()), content_hash=source.content_hash
                    )
                    assert result.slug is not None
                    matches = record_matches(session, parsed, result.slug)
                    record_same_service(session, result.slug, {m.item_id for m in matches})
            except TrackerError:
                continue  # the refused document: rolled back, as `tracker import` does
    finally:
        app.close()


@pytest.fixture
def scan_db_url(db_url: str, tmp_path: Path) -> Iterator[str]:
    """A second empty database of the same kind as `db_url`, for the replay."""
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'scan.db'}"
    else:
        yield from _postgres_schema(db_url.split("?")[0])


@pytest.mark.parametrize("seed", [1, 2])
def test_import_of_a_folder_records_what_scanning_each_document_records(
    run_cli, workdir: Path, db_url: str, scan_db_url: str, seed: int
) -> None:
    folder = workdir / "pm"
    _documents(folder, 30, seed)
    out = run_cli("import", str(folder))
    assert out.exit_code == 1  # the document that re-uses pm-003's slug fails; the others import
    assert "already belongs to" in out.stdout
    _replay_with_scans(scan_db_url, workdir, folder)
    indexed, scanned = _stored(db_url), _stored(scan_db_url)
    assert indexed == scanned
    found = sum(
        len(extra.get("recurrence", [])) + len(extra.get("same_service", [])) for extra in scanned.values()
    )
    assert found > 20, json.dumps(scanned)[:500]  # enough recurrences that a difference would show


def test_match_rows_are_stored_as_asdict_stores_them(db_url: str) -> None:
    """`extra` keeps each match field by field (the shape `tracker report` reads back)."""
    from tracker.recurrence import Match, StillOpen, _row

    match = Match(1, "pm-1", "Add alerting", "@dana", None, "2026-01-02", 0.7, "why")
    still = StillOpen(2, "pm-2", "Fix pool", None, None, ["orders-api"], True)
    assert _row(match) == asdict(match) and _row(still) == asdict(still)
