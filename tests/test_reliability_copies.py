"""Issue 19, point 4: two copies of one database creating at the same moment, and how they converge."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import CLI
from ops_support import (
    REPO,
    github_config,
    github_markers,
    link_rows,
    spawn,
    start_github,
    tracker,
    write_items,
)

from tracker.sandbox.github import FakeGitHub


def host(workdir: Path, name: str, gh: FakeGitHub) -> tuple[Path, str]:
    folder = workdir / name
    folder.mkdir()
    db = folder / "tracker.db"
    config = folder / "tracker.toml"
    config.write_text(f'[database]\npath = "{db}"\n' + github_config(gh.api_url), encoding="utf-8")
    return config, f"sqlite:///{db}"


def sync(config: Path) -> dict:
    result = tracker(config, "sync", "--yes", "--format", "json")
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout)["targets"]["gh"]


def open_issues(gh: FakeGitHub) -> dict[str, int]:
    return {issue.title: issue.number for issue in gh.issues(REPO) if issue.state == "open"}


def test_19_4_two_copies_creating_at_once_converge_on_the_oldest_issue(monkeypatch, workdir):
    gh = start_github(monkeypatch)
    try:
        a, url_a = host(workdir, "host-a", gh)
        b, url_b = host(workdir, "host-b", gh)
        docs = workdir / "pm"
        for config in (a, b):  # in-process: the imports only set the scene for the processes below
            CLI(lambda config=config: config)("import", str(write_items(docs, 2)))
            CLI(lambda config=config: config).ok("import", str(docs))
        # Both copies list the remote before either create lands: each creates every item. The
        # creates are held until one from each copy waits (not a fixed delay: a copy that starts
        # late on a loaded machine would otherwise see the other's issues and refuse, no race).
        gh.delay_next("POST", f"/repos/{REPO}/issues", seconds=60, times=4, together=2)
        runs = [spawn(config, "sync", "--yes") for config in (a, b)]
        for run in runs:
            out, err = run.communicate(timeout=120)
            assert run.returncode == 0, out + err
        assert sorted(github_markers(gh).values()) == [2, 2]  # the race happened: 2 duplicates
        doctor = tracker(a, "doctor", "--format", "json")
        listed = [d for d in json.loads(doctor.stdout)["drift"] if d["kind"] == "duplicate"]
        assert doctor.returncode == 1 and len(listed) == 2, doctor.stdout

        gh.reset_log()
        first = sync(a)
        assert first["duplicates"] == 2 and first["created"] == 0
        writes = sorted(r.method for r in gh.requests if r.method != "GET")
        assert writes == ["PATCH", "PATCH", "POST", "POST"]  # a comment and a close per duplicate, no search
        assert first["requests"] == len(gh.requests)
        assert sum("kept the oldest" in m for m in first["messages"]) == 2
        second = sync(b)
        assert second["created"] == 0
        oldest: dict[str, int] = {}
        for issue in gh.issues(REPO):
            oldest[issue.title] = min(oldest.get(issue.title, issue.number), issue.number)
        live = open_issues(gh)
        assert live == oldest
        for issue in gh.issues(REPO):
            if issue.state == "closed":
                assert gh.issue_json(REPO, issue.number)["state_reason"] == "not_planned"
                [comment] = gh.store.comments[issue.id]
                assert f"Duplicate of {REPO}#{oldest[issue.title]}" in comment.body
        for url in (url_a, url_b):  # both copies now link each item to the kept issue
            assert {row.remote_number for row in link_rows(url)} == set(live.values())
        assert sync(a)["duplicates"] == 0 and sync(b)["duplicates"] == 0
        doctor = tracker(b, "doctor", "--format", "json")
        assert not [d for d in json.loads(doctor.stdout)["drift"] if d["kind"] == "duplicate"]
        # Closing the kept issue is seen by both copies: nothing hangs on the closed duplicate.
        gh.close_issue(REPO, min(live.values()), "completed", actor="dana-w")
        for config in (a, b):
            sync(config)
            rows = json.loads(tracker(config, "list", "--format", "json").stdout)
            assert sorted(row["status"] for row in rows) == ["done", "open"]
    finally:
        gh.stop()
