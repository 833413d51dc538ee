"""Concurrency: one sync per target, readers during a sync, targets in parallel, a shared create budget."""

from __future__ import annotations

import itertools
import signal
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import CLI
from ops_support import (
    GH_TOKEN,
    REPO,
    github_config,
    github_markers,
    link_rows,
    spawn,
    start_github,
    tracker,
    wait_for,
    write_items,
)
from sqlalchemy import select, update

from tracker.backends.pacing_db import SharedCreateBudget
from tracker.db import make_engine, session_factory
from tracker.lock import acquire, release
from tracker.models import CreateBudgetRow, Lease, utcnow

pytestmark = pytest.mark.slow
HOLD = 60.0
CREATE = f"/repos/{REPO}/issues"


@pytest.fixture
def gh(monkeypatch):
    fake = start_github(monkeypatch)
    fake.add_repo("acme/billing", private=True, collaborators=["dana-w", "tracker-bot"])
    yield fake
    fake.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'shared.db'}"
    return str(request.getfixturevalue("postgres_url"))


def two_targets(api_url: str, per_minute: int = 100000) -> str:
    """Targets a (acme/platform) and b (acme/billing, for postmortems of the billing service), one token."""
    body = github_config(api_url, name="a").replace(
        "creates_per_minute = 100000", f"creates_per_minute = {per_minute}"
    )
    body = body.replace('default = "a"\n', 'default = "a"\nrules = [{ service = "billing", target = "b" }]\n')
    return body + (
        f'\n[targets.b]\nkind = "github"\nrepo = "acme/billing"\napi_url = "{api_url}"\n'
        f'token_env = "TRACKER_OPS_GH_TOKEN"\ncreates_per_minute = {per_minute}\n'
    )


def billing_items(folder: Path, count: int) -> Path:
    path = write_items(folder, count, slug="inc-billing", start=50)
    path.write_text(
        path.read_text().replace("slug: inc-billing\n", "slug: inc-billing\nservices: [billing]\n")
    )
    return path


def write_config(folder: Path, url: str, body: str, name: str = "tracker.toml") -> Path:
    path = folder / name
    path.write_text(f'[database]\nurl = "{url}"\n' + body, encoding="utf-8")
    return path


def test_two_syncs_at_once_one_runs_the_other_exits_3_and_readers_work(gh, database, workdir):
    config = write_config(workdir, database, github_config(gh.api_url))
    CLI(lambda: config).ok("import", str(write_items(workdir / "pm", 5)))
    gh.timeout_next("POST", CREATE, seconds=HOLD, apply=True)  # the first create freezes the run
    first = spawn(config, "sync", "--yes")
    wait_for(lambda: gh.faults.pending() == 0, what="the first sync to be mid-create", process=first)
    second = tracker(config, "sync", "--yes")
    assert second.returncode == 3, second.stdout + second.stderr
    assert "another sync is running since" in second.stderr and f":{first.pid}:" in second.stderr
    for reader in (("list",), ("list", "--format", "json"), ("report",)):
        result = tracker(config, *reader)
        assert result.returncode == 0 and "locked" not in result.stderr, (reader, result.stderr)
    first.send_signal(signal.SIGKILL)
    first.wait()
    gh.clear_faults()
    done = tracker(config, "sync", "--yes")  # the dead holder's lease is taken over at once
    assert done.returncode == 0, done.stdout + done.stderr
    assert len(github_markers(gh)) == 5 and set(github_markers(gh).values()) == {1}


def test_different_targets_sync_at_the_same_time_from_two_hosts(gh, database, workdir):
    body = two_targets(gh.api_url)
    host_a = write_config(workdir, database, body, "host-a.toml")
    host_b = write_config(workdir, database, body, "host-b.toml")
    CLI(lambda: host_a).ok("import", str(write_items(workdir / "pm", 3)))
    CLI(lambda: host_b).ok("import", str(billing_items(workdir / "pm-b", 3)))
    gh.timeout_next("POST", CREATE, seconds=HOLD, apply=True)  # host A freezes mid-create on target a
    a = spawn(host_a, "sync", "--yes", "--target", "a")
    wait_for(lambda: gh.faults.pending() == 0, what="host A to be mid-sync", process=a)
    b = tracker(host_b, "sync", "--yes", "--target", "b")
    assert b.returncode == 0, b.stdout + b.stderr
    assert len(gh.issues("acme/billing")) == 3  # B proceeded while A held target a
    a.send_signal(signal.SIGKILL)
    a.wait()
    gh.clear_faults()
    assert tracker(host_a, "sync", "--yes", "--target", "a").returncode == 0
    assert len(gh.issues(REPO)) == 3 and set(github_markers(gh).values()) == {1}


def test_a_run_whose_lease_was_taken_over_stops_at_its_next_commit(gh, db_url, workdir, make_config):
    config = make_config(github_config(gh.api_url))
    CLI(lambda: config).ok("import", str(write_items(workdir / "pm", 6)))
    gh.timeout_next("POST", CREATE, seconds=5, apply=True)  # lands, then the answer is lost after 5 s
    run = spawn(config, "sync", "--yes")
    wait_for(lambda: gh.faults.pending() == 0, what="the run to be mid-create", process=run)
    engine = make_engine(db_url)
    sessions = session_factory(engine)
    with sessions() as session, session.begin():  # its lease expires (a stalled host) ...
        session.execute(update(Lease).values(expires_at=utcnow() - timedelta(seconds=1)))
    other = acquire(sessions, ["sync:gh"], "host-b:4242:takeover", 300, None)  # ... and is taken over
    out, err = run.communicate(timeout=60)
    assert run.returncode == 3 and "lost the lease sync:gh" in err, out + err
    assert len(gh.issues(REPO)) == 1 and gh.count("POST", CREATE) == 1
    assert [r.state for r in link_rows(db_url)] == ["creating"]  # nothing committed after the takeover
    release(sessions, other)
    engine.dispose()
    again = tracker(config, "sync", "--yes")
    assert again.returncode == 0, again.stdout + again.stderr
    assert len(github_markers(gh)) == 6 and set(github_markers(gh).values()) == {1}


def test_one_create_budget_per_credential_across_hosts(database):
    """Two hosts (two engines, two budgets) on one database: the second waits for the first's spends."""
    from tracker.db import upgrade

    engines = [make_engine(database), make_engine(database)]
    upgrade(engines[0])
    now = [1_000_000.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    host_a, host_b = (
        SharedCreateBudget(session_factory(e), f"api|{GH_TOKEN}", 3, 100, clock=lambda: now[0], sleep=sleep)
        for e in engines
    )
    for _ in range(3):
        assert host_a.acquire() == 0
        now[0] += 1
    waited = host_b.acquire()  # host B shares host A's minute: it must wait for the oldest to age out
    assert waited == pytest.approx(57.0) and slept[-1] == pytest.approx(57.0)
    with session_factory(engines[1])() as session:
        rows = session.scalars(select(CreateBudgetRow)).all()
        assert len(rows) == 1 and len(rows[0].stamps) == 4 and GH_TOKEN not in rows[0].credential
    for e in engines:
        e.dispose()


def test_parallel_processes_share_one_budget(gh, database, workdir):
    """Two processes creating with one token: the shared record shows every create, spaced by the budget."""
    config = write_config(workdir, database, two_targets(gh.api_url, per_minute=300))
    CLI(lambda: config).ok("import", str(write_items(workdir / "pm", 4)))
    CLI(lambda: config).ok("import", str(billing_items(workdir / "pm-b", 4)))
    runs = [spawn(config, "sync", "--yes", "--target", t) for t in ("a", "b")]
    for run in runs:
        out, err = run.communicate(timeout=120)
        assert run.returncode == 0, out + err
    assert len(gh.issues(REPO)) == 4 and len(gh.issues("acme/billing")) == 4
    engine = make_engine(database)
    with session_factory(engine)() as session:
        [row] = session.scalars(select(CreateBudgetRow)).all()
    engine.dispose()
    stamps = row.stamps
    assert len(stamps) == 8 and stamps == sorted(stamps)
    gaps = [b - a for a, b in itertools.pairwise(stamps)]
    assert min(gaps) >= 0.2 - 0.01  # 300 a minute: one create every 0.2 s, whichever process made it
