"""`tracker digest --post` fits one comment: a long digest is shortened, saying what it left out,
instead of being refused by GitHub (65,536 characters) every week."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from backend_harness import github_config, github_sandbox

REPO = "acme/platform"
TOKEN = "ghp_TESTtokenNEVERprinted0123456789abcd"
TOKEN_ENV = "TRACKER_TEST_GH_TOKEN"
ITEMS = 400


@pytest.fixture
def gh(monkeypatch):
    with github_sandbox(monkeypatch, REPO, TOKEN_ENV, TOKEN, ("dana-w",)) as fake:
        yield fake


def _document(count: int) -> str:
    rows = "\n".join(
        f"| Add a replica-lag alert number {n} for the orders-db shard {n} at 30 s, paging the database "
        f"on-call rotation through the incident bridge {n} and the status page of the checkout team |  | {date.today() + timedelta(days=90)} |"
        for n in range(count)
    )
    return f"# Orders outage\n\nDate: {date.today()}\n\n## Action items\n\n| Action | Owner | Deadline |\n|---|---|---|\n{rows}\n"


def test_a_long_digest_is_shortened_to_fit_one_comment(gh, run_cli, make_config, workdir):
    after = '[remind]\ndigest_issue = "gh#1"\n\n[people."dana"]\ngithub = "dana-w"\naliases = ["@dana"]\n'
    make_config(github_config(gh.api_url, repo=REPO, token_env=TOKEN_ENV, after=after, paced=None))
    run_cli.ok("add", "Weekly digest home issue", "-p", "inc-0", "--new", "-o", "@dana", "-d", "2999-01-01")
    run_cli.ok("sync", "--yes")
    (workdir / "orders.md").write_text(_document(ITEMS))
    run_cli.ok("import", str(workdir / "orders.md"), "-q")
    full = run_cli.ok("digest").stdout
    assert len(full) > 65_536 and f"### Without a person as owner ({ITEMS})" in full  # printed whole
    posted = run_cli.ok("digest", "--post")
    assert "posted the digest" in posted.stdout
    [issue] = [i for i in gh.issues(REPO) if i.number == 1]
    [body] = [
        c.body for c in gh.store.comments.get(issue.id, []) if "Postmortem action items: week" in c.body
    ]
    assert len(body) <= 65_536
    assert f"### Without a person as owner ({ITEMS})" in body  # the count stays whole
    left_out = [line for line in body.splitlines() if line.startswith("- ... and ")]
    assert left_out and left_out[0].endswith("more (`tracker digest` prints them all)")
    shown = sum(1 for line in body.splitlines() if line.startswith("- #"))
    assert shown + int(left_out[0].split()[3]) == ITEMS
