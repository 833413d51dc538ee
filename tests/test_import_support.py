"""Helpers shared by the import and render tests (no tests here): configs, database reads, documents."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session, selectinload

from tracker.models import ActionItem, Event, Link, Postmortem

DATA = Path(__file__).parent / "data" / "postmortems"

# `tracker.cli` registers these lazily; make sure they are there whatever the order of landing.

TARGETS = """
[targets.gh]
kind = "github"
repo = "acme/infra"
token_env = "TEST_GH_TOKEN"

[targets.ops]
kind = "jira"
url = "https://acme.atlassian.net"
project = "OPS"
email_env = "TEST_JIRA_EMAIL"
token_env = "TEST_JIRA_TOKEN"
"""


def items(db_url: str, slug: str | None = None, include_removed: bool = False) -> list[ActionItem]:
    """The stored items (with links and postmortem loaded), in document order."""
    engine = create_engine(db_url)
    try:
        with Session(engine) as session:
            query = (
                select(ActionItem)
                .join(Postmortem)
                .options(selectinload(ActionItem.links), selectinload(ActionItem.postmortem))
                .order_by(Postmortem.slug, ActionItem.position, ActionItem.id)
            )
            if slug is not None:
                query = query.where(Postmortem.slug == slug)
            if not include_removed:
                query = query.where(ActionItem.removed_at.is_(None))
            rows = list(session.scalars(query))
            session.expunge_all()
            return rows
    finally:
        engine.dispose()


def postmortem(db_url: str, slug: str) -> Postmortem:
    engine = create_engine(db_url)
    try:
        with Session(engine) as session:
            row = session.scalar(select(Postmortem).where(Postmortem.slug == slug))
            assert row is not None, f"no postmortem {slug}"
            session.expunge_all()
            return row
    finally:
        engine.dispose()


def counts(db_url: str) -> dict[str, int]:
    """Row counts of every table the importer writes: equal before and after means nothing changed."""
    engine = create_engine(db_url)
    try:
        with Session(engine) as session:
            return {
                model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
                for model in (Postmortem, ActionItem, Link, Event)
            }
    finally:
        engine.dispose()


def snapshot(db_url: str) -> list[tuple[Any, ...]]:
    """Every item's stored fields, for "nothing changed" assertions."""
    return [
        (
            i.fingerprint,
            i.title,
            i.title_text,
            i.owner_text,
            i.owner_person,
            i.deadline_text,
            i.deadline,
            i.status,
            i.status_text,
            i.tracking_ref,
            i.push,
            i.removed_at,
            tuple(sorted((ln.target, ln.key or "") for ln in i.links)),
        )
        for i in items(db_url, include_removed=True)
    ]


def as_written(item: ActionItem) -> dict[str, Any]:
    return {
        "title": item.title,
        "owner": item.owner_text,
        "deadline": item.deadline_text,
        "status": item.status_text,
    }


def execute(db_url: str, statement: Any) -> None:
    engine = create_engine(db_url)
    try:
        with engine.begin() as connection:
            connection.execute(statement)
    finally:
        engine.dispose()
