"""The report's plumbing: constants agree with the importer's, hooks come with the sessions, no cycles."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from tracker.db import make_engine, session_factory, upgrade

ROOT = Path(__file__).resolve().parents[1] / "tracker"


def test_trend_kinds_are_the_report_rows_kind_codes():
    from tracker.report.months import KINDS
    from tracker.states import KIND_CODES

    assert {kind: code for code, kind in enumerate(KINDS)} == KIND_CODES


def test_report_knows_where_import_keeps_recurrences():
    from tracker import recurrence
    from tracker.report import build

    assert build.RECURRENCE_KEY == recurrence.EXTRA_KEY
    assert build.SAME_SERVICE_KEY == recurrence.SAME_SERVICE_KEY


def test_importing_history_installs_no_session_hooks():
    program = (
        "from sqlalchemy import event\n"
        "from sqlalchemy.orm import Session\n"
        "import tracker.history, tracker.items, tracker.importing.upsert\n"
        "from tracker import states_session as s\n"
        "print(any(event.contains(Session, n, f) for n, f in "
        "(('after_flush', s._after_flush), ('before_commit', s._before_commit))))\n"
    )
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "False", result.stderr


def _add_item(session) -> int:
    from tracker.models import ActionItem, Postmortem

    postmortem = Postmortem(slug="inc-1", title="Outage", services=[], extra={})
    session.add(postmortem)
    session.flush()
    item = ActionItem(postmortem_id=postmortem.id, fingerprint="f1", title="Add alerting", status="open")
    session.add(item)
    session.flush()
    return item.id


def test_sessions_from_the_factory_keep_the_report_rows(db_url):
    from sqlalchemy.orm import Session

    engine = make_engine(db_url)
    upgrade(engine)
    try:
        with session_factory(engine)() as session, session.begin():
            kept = _add_item(session)
        with Session(engine) as session, session.begin():  # a session made elsewhere gets no hooks
            other = _add_item_in(session, "inc-2")
        with engine.connect() as connection:
            rows = {r[0] for r in connection.execute(text("SELECT item_id FROM report_rows"))}
        assert kept in rows and other not in rows
    finally:
        engine.dispose()


def _add_item_in(session, slug: str) -> int:
    from tracker.models import ActionItem, Postmortem

    postmortem = Postmortem(slug=slug, title="Outage", services=[], extra={})
    session.add(postmortem)
    session.flush()
    item = ActionItem(postmortem_id=postmortem.id, fingerprint="f2", title="Fix", status="open")
    session.add(item)
    session.flush()
    return item.id


def _imports(path: Path) -> set[str]:
    """Every tracker module a file imports, TYPE_CHECKING blocks and function bodies included."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("tracker"):
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("tracker"))
    return found


def test_no_import_cycles_among_the_report_modules():
    paths = [*sorted((ROOT / "report").glob("*.py")), ROOT / "states.py", ROOT / "states_session.py"]
    modules = {
        "tracker."
        + str(p.relative_to(ROOT.parent).with_suffix("")).replace("/", ".").removeprefix("tracker."): p
        for p in paths
    }
    graph = {
        name: {m for m in _imports(path) if m in modules and m != name} for name, path in modules.items()
    }

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in graph[start]:
            if nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt})):
                return True
        return False

    cycles = sorted(name for name in graph if reaches(name, name, {name}))
    assert cycles == []
