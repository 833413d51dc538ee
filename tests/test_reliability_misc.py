"""Issue 19, points 1, 9, 12, 15 and 16: CLI options, config gaps, quiet output and reassignment pushes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ops_support import GH_ENV, GH_TOKEN, REPO, TRACKER, github_config, start_github, tracker, write_items

from tracker.sandbox.github import FakeGitHub


@pytest.fixture
def gh(monkeypatch: pytest.MonkeyPatch):
    fake = start_github(monkeypatch)
    fake.add_repo("acme/archive", private=True, collaborators=["dana-w", "tracker-bot"])
    fake.add_collaborator(REPO, "leepark")
    yield fake
    fake.stop()


def _setup(gh: FakeGitHub, run_cli, make_config, workdir: Path, count: int = 2, extra: str = "") -> Path:
    path = make_config(github_config(gh.api_url) + extra)
    run_cli.ok("import", str(write_items(workdir / "pm", count)))
    return path


# 1. The documented cron and systemd lines ------------------------------------------------------------
def test_19_1_quiet_after_the_subcommand(gh, run_cli, make_config, workdir):
    _setup(gh, run_cli, make_config, workdir)
    metrics = workdir / "tracker.prom"
    result = run_cli("sync", "-q", "--metrics-file", str(metrics))
    assert result.exit_code == 0, result.output
    assert len(gh.issues(REPO)) == 2
    assert 'tracker_sync_ok{target="gh"} 1' in metrics.read_text()
    assert result.stdout == ""  # quiet: a successful cron run mails nothing


def test_19_1_quiet_before_the_subcommand_is_the_same(gh, run_cli, make_config, workdir):
    _setup(gh, run_cli, make_config, workdir)
    assert run_cli.ok("-q", "sync").stdout == ""
    assert "gh (github): 0 created" in run_cli.ok("sync").stdout  # not quiet: the summary


def test_19_1_quiet_sync_still_reports_failures(gh, run_cli, make_config, workdir):
    _setup(gh, run_cli, make_config, workdir)
    gh.exhaust_rate_limit("tracker-bot", reset_in=600)
    result = run_cli("sync", "-q")
    assert result.exit_code == 1
    assert "gh (github)" in result.stdout and "stopped" in result.stdout


def test_19_1_global_options_after_every_command(run_cli, make_config):
    """Every command (and `db`'s subcommands) takes -q, -v and --config after its name."""
    from tracker.cli import COMMANDS

    make_config("")
    for name in COMMANDS:
        args = ["db", "current"] if name == "db" else [name]
        result = run_cli(*args, "--help")
        assert result.exit_code == 0, (name, result.output)
        assert "-v, --verbose" in result.stdout, name
        assert "--config PATH" in result.stdout, name
        if name != "import":  # import's own -q (one line per document) keeps its meaning
            assert "-q, --quiet" in result.stdout, name


def test_19_1_verbose_after_the_subcommand_shows_the_traceback(run_cli, make_config, workdir):
    from sqlite3 import DatabaseError  # `list` reads SQLite through stdlib sqlite3 (issue 15.4)

    make_config('[database]\npath = "broken.db"\n')
    (workdir / "broken.db").write_bytes(b"this is not a database file" * 100)
    brief = run_cli("list")
    assert brief.exit_code == 2 and "Traceback" not in brief.output
    assert "database error" in brief.stderr
    with pytest.raises(DatabaseError):  # -v after the subcommand lets the traceback through, as before it
        run_cli("list", "-v")


def test_19_1_config_after_the_subcommand(run_cli, make_config, workdir):
    make_config('[database]\npath = "main.db"\n')
    run_cli.ok("init")
    other = make_config('[database]\npath = "other.db"\n', name="other.toml")
    assert run_cli.ok("list").exit_code == 0
    result = run_cli("list", "--config", str(other))  # given after the command, it wins
    assert result.exit_code == 2 and "other.db" in result.stderr


def test_19_1_cron_line_in_a_subprocess(gh, run_cli, make_config, workdir):
    """What cron runs: the installed binary with the README's arguments."""
    config = _setup(gh, run_cli, make_config, workdir)
    metrics = workdir / "node_exporter" / "tracker.prom"
    metrics.parent.mkdir()
    proc = tracker(config, "sync", "-q", "--metrics-file", str(metrics), env={GH_ENV: GH_TOKEN})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "" and proc.stderr == ""
    assert 'tracker_sync_created{target="gh"} 2' in metrics.read_text()


# 9. A token pasted into token_env ------------------------------------------------------------------
LEGACY_ATLASSIAN = "Xk7Pq2LmN9rT4vW8yZ3bC6dF"  # 24 characters: also a valid variable name
SHORT_GHP = "ghp_Q9w8E7r6T5y4"  # too short to look like a token, still a valid variable name


def test_19_9_token_pasted_into_token_env_is_never_echoed(gh, run_cli, make_config, workdir, monkeypatch):
    from ops_support import JIRA_EMAIL_ENV, start_jira

    jira = start_jira(monkeypatch)
    try:
        config = github_config(gh.api_url).replace(f'token_env = "{GH_ENV}"', f'token_env = "{SHORT_GHP}"')
        config += f"""
[targets.ops]
kind = "jira"
url = "{jira.url}"
project = "OPS"
email_env = "{JIRA_EMAIL_ENV}"
token_env = "{LEGACY_ATLASSIAN}"
"""
        make_config(config)
        run_cli.ok("import", str(write_items(workdir / "pm", 1)))
        for args in (["sync"], ["sync", "--format", "json"], ["check"], ["-v", "sync"], ["sync", "-v"]):
            result = run_cli(*args)
            output = result.stdout + result.stderr
            assert result.exit_code != 0, (args, output)
            assert SHORT_GHP not in output and LEGACY_ATLASSIAN not in output, (args, output)
            assert "[targets.gh] token_env" in output and "[targets.ops] token_env" in output, (args, output)
    finally:
        jira.stop()


def test_19_9_unset_email_env_is_named_by_its_key(run_cli, make_config, monkeypatch):
    from tracker.backends.jira_http import jira_credentials
    from tracker.config import config_from_text
    from tracker.errors import ConfigError

    pasted = "dana_whitfield_at_corp_example"  # an address typed as a name: not set, never shown
    config = config_from_text(
        f'[targets.ops]\nkind = "jira"\nurl = "https://acme.atlassian.net"\nproject = "OPS"\n'
        f'email_env = "{pasted}"\ntoken_env = "JIRA_T"\n'
    )
    with pytest.raises(ConfigError) as raised:
        jira_credentials(config.targets["ops"], {"JIRA_T": "x"})  # type: ignore[arg-type]
    text = f"{raised.value.message} {raised.value.hint}"
    assert "[targets.ops] email_env" in text and pasted not in text


# 15. Config gaps -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("section", "line", "named"),
    [
        ("targets.gh", 'api_url = "ftp://x"', "[targets.gh] api_url"),
        ("targets.gh", 'api_url = "https://"', "[targets.gh] api_url"),
        ("sync", "lease_seconds = 0", "[sync] lease_seconds"),
        ("sync", "lease_seconds = -1", "[sync] lease_seconds"),
        ("sync", "request_timeout_seconds = 0", "[sync] request_timeout_seconds"),
        ("targets.gh", "creates_per_hour = 0", "[targets.gh] creates_per_hour"),
        ("targets.gh", "creates_per_minute = -5", "[targets.gh] creates_per_minute"),
        ("database", "busy_timeout_ms = 0", "[database] busy_timeout_ms"),
        ("remind", "every_days = -1", "[remind] every_days"),
    ],
)
def test_19_15_bad_values_refused_with_the_key_named(gh, run_cli, make_config, workdir, section, line, named):
    make_config(github_config(gh.api_url))
    run_cli.ok("init")
    base = (workdir / "tracker.toml").read_text()
    if section.startswith("targets."):
        text = base.replace(f"[{section}]\n", f"[{section}]\n{line}\n").replace(
            f'api_url = "{gh.api_url}"\n', "" if "api_url" in line else f'api_url = "{gh.api_url}"\n'
        )
        text = text.replace(
            "creates_per_minute = 100000\n", "" if "per_minute" in line else "creates_per_minute = 100000\n"
        )
        text = text.replace(
            "creates_per_hour = 100000\n", "" if "per_hour" in line else "creates_per_hour = 100000\n"
        )
    else:
        text = (
            base.replace(f"[{section}]\n", f"[{section}]\n{line}\n")
            if f"[{section}]" in base
            else base + f"\n[{section}]\n{line}\n"
        )
        text = text.replace("lease_seconds = 300\n", "") if "lease_seconds" in line else text
    (workdir / "tracker.toml").write_text(text, encoding="utf-8")
    gh.reset_log()
    for command in ("sync", "doctor", "check"):
        result = run_cli(command)
        assert result.exit_code == 2, (command, result.output)
        assert named in result.stderr and "internal error" not in result.output, result.stderr
        assert "Traceback" not in result.output
    assert gh.requests == []  # refused before any request


# 12. Noise on stderr and control characters on the terminal ----------------------------------------
def test_19_12_transfer_redirection_is_not_printed(gh, run_cli, make_config, workdir, db_url):
    """A fresh process each time: PyGithub configures logging when first imported, mid-command."""
    from ops_support import link_rows

    config = _setup(gh, run_cli, make_config, workdir, extra="verify_interval_minutes = 0\n")
    run_cli.ok("sync")
    gh.transfer_issue(REPO, link_rows(db_url)[0].remote_number, "acme/archive")
    gh.reset_log()
    for args in (["doctor"], ["-v", "doctor"], ["sync"], ["sync", "-q"]):
        proc = tracker(config, *args, env={GH_ENV: GH_TOKEN})
        assert "redirection" not in proc.stderr.lower(), (args, proc.stderr)
    assert any(r.status == 301 for r in gh.requests)  # the redirect did happen


NASTY = "Rotate keys\x07 now\x1b]0;owned\x07\x1b[2J\r\u202e"
IN_A_LINE = NASTY.replace("\r", "")  # a document's \r ends its line, like \n


def _assert_inert(text: str, where: object) -> None:
    for bad in ("\x07", "\x1b]", "\x1b[2J", "\r", "\u202e"):
        assert bad not in text, (where, repr(text))


def test_19_12_control_characters_never_reach_the_terminal(gh, run_cli, make_config, workdir, db_url):
    from ops_support import link_rows

    _setup(gh, run_cli, make_config, workdir)
    run_cli.ok("add", f"Document {NASTY}", "-p", "inc-ops", "-o", "@dana", "-d", "2030-06-10")
    run_cli.ok("sync")
    number = link_rows(db_url)[0].remote_number
    gh.edit_issue(REPO, number, title=f"Remote {NASTY}")  # a person renames the issue on GitHub
    commands = (
        ["sync"],
        ["list"],
        ["list", "--format", "csv"],
        ["show", "1"],
        ["show", "3"],
        ["report", "-p", "inc-ops"],
        ["report", "-p", "inc-ops", "--format", "markdown"],
        ["doctor"],
        ["lint"],
        ["people"],
    )
    seen = ""
    for args in commands:
        result = run_cli(*args)
        _assert_inert(result.stdout + result.stderr, args)
        seen += result.stdout
    assert "Rotate keys\\x07 now" in seen  # shown, escaped, rather than dropped


def test_19_12_control_characters_from_documents_errors_and_logs(run_cli, make_config, workdir):
    import os

    doc = workdir / "pm" / "inc-bel.md"
    doc.parent.mkdir()
    doc.write_text(
        "---\nslug: inc-bel\nincident_date: 2030-06-01\n---\n# Outage\n\n## Action Items\n\n"
        "| Action Item | Owner | Deadline | Status |\n| --- | --- | --- | --- |\n"
        f"| Page on {IN_A_LINE} errors | @dana{IN_A_LINE} | 2030-06-10 | Open |\n",
        encoding="utf-8",
    )
    make_config("")
    for args in (["lint", str(doc)], ["import", str(doc), "--dry-run"], ["import", str(doc)], ["lint"]):
        result = run_cli(*args)
        _assert_inert(result.stdout + result.stderr, args)
        assert "\\x07" in result.stdout or args[0] == "lint", args
    # An error naming text from the config file goes through the one error boundary.
    make_config('[sync]\n"max_\\u0007creates" = 3\n')
    result = run_cli("list")
    assert result.exit_code == 2 and "max_\\x07creates: unknown key" in result.stderr
    _assert_inert(result.stderr, "config error")
    # A warning logged with a path that holds a BEL: the log formatter cleans it too.
    folder = workdir / "odd\x07dir"
    folder.mkdir()
    config = make_config("", name="odd\x07dir/tracker.toml")
    os.chmod(config, 0o666)
    result = run_cli("--config", str(config), "list")
    assert "writable by others" in result.stderr and "odd\\x07dir" in result.stderr
    _assert_inert(result.stderr, "log warning")


def test_19_12_render_at_a_terminal_is_escaped_and_redirected_is_exact(run_cli, make_config, workdir):
    import os
    import pty
    import subprocess

    doc = workdir / "inc-bel.md"
    doc.write_text(
        "---\nslug: inc-bel\nincident_date: 2030-06-01\n---\n# Outage \x07\n\n## Action Items\n\n"
        "| Action Item | Owner | Deadline | Status |\n| --- | --- | --- | --- |\n"
        "| Page on 5xx errors | @dana | 2030-06-10 | Open |\n",
        encoding="utf-8",
    )
    config = make_config("")
    run_cli.ok("import", str(doc))
    piped = tracker(config, "render", "inc-bel")
    assert piped.returncode == 0 and "# Outage \x07\n" in piped.stdout  # byte for byte into a file
    leader, follower = pty.openpty()
    proc = subprocess.run(
        [TRACKER, "--config", str(config), "render", "inc-bel"],
        stdout=follower,
        stderr=subprocess.PIPE,
        cwd=workdir,
        timeout=60,
    )
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert proc.returncode == 0, proc.stderr
    assert b"\x07" not in shown and b"# Outage \\x07" in shown


# 16. Assignee pushes against the sandbox -----------------------------------------------------------
@pytest.fixture(scope="module")
def issue_schema(request: pytest.FixtureRequest):
    """GitHub's `issue` schema from the shared spec: what add/remove assignees answer with (201/200).

    The spec subset documents the `issue` schema but not the two assignee operations themselves, so
    the bodies are checked against the schema directly.
    """
    shared = request.getfixturevalue("shared_dir")
    from test_sandbox_github import SpecChecker

    checker = SpecChecker(shared / "specs" / "github-issues.openapi.json")
    return lambda body: checker._schema_errors({"$ref": "#/components/schemas/issue"}, body)


def _call(gh: FakeGitHub, method: str, path: str, body: object, token: str | None = GH_TOKEN):
    import requests

    headers = {"Accept": "application/vnd.github+json"}
    if token is not None:
        headers["Authorization"] = f"token {token}"
    reply = requests.request(method, f"{gh.api_url}{path}", json=body, headers=headers, timeout=10)
    return reply.status_code, reply.json() if reply.content else None


def test_19_16_sandbox_add_and_remove_assignees_follow_the_api(gh, issue_schema):
    gh.add_token("reader-token", "rita", push=False)
    number = gh.create_issue(REPO, "Rotate keys", assignees=["dana-w"])
    path = f"/repos/{REPO}/issues/{number}/assignees"
    status, body = _call(gh, "POST", path, {"assignees": ["leepark", "not-a-collaborator"]})
    assert status == 201 and issue_schema(body) == []
    assert [a["login"] for a in body["assignees"]] == ["dana-w", "leepark"]  # added; the stranger ignored
    assert body["assignee"]["login"] == "dana-w"
    status, body = _call(gh, "DELETE", path, {"assignees": ["dana-w"]})
    assert status == 200 and issue_schema(body) == []
    assert [a["login"] for a in body["assignees"]] == ["leepark"]
    assert [a["login"] for a in gh.issue_json(REPO, number)["assignees"]] == ["leepark"]
    # Without push access both calls succeed and change nothing (GitHub ignores them silently).
    assert _call(gh, "POST", path, {"assignees": ["dana-w"]}, token="reader-token")[0] == 201
    assert _call(gh, "DELETE", path, {"assignees": ["leepark"]}, token="reader-token")[0] == 200
    assert [a["login"] for a in gh.issue_json(REPO, number)["assignees"]] == ["leepark"]
    # Bad bodies, unknown issues, no credentials.
    assert _call(gh, "POST", path, {"assignees": "leepark"})[0] == 422
    assert _call(gh, "POST", f"/repos/{REPO}/issues/999/assignees", {"assignees": ["leepark"]})[0] == 404
    assert _call(gh, "DELETE", path, {"assignees": ["leepark"]}, token=None)[0] == 401


def test_19_16_reassignment_reaches_the_issue_end_to_end(gh, run_cli, make_config, workdir, db_url):
    from ops_support import link_rows

    make_config(github_config(gh.api_url) + '\n[people."lee"]\ngithub = "leepark"\naliases = ["@lee"]\n')
    run_cli.ok("import", str(write_items(workdir / "pm", 3)))
    run_cli.ok("sync")
    numbers = {row.item_id: row.remote_number for row in link_rows(db_url)}
    assert [a["login"] for a in gh.issue_json(REPO, numbers[2])["assignees"]] == ["dana-w"]
    run_cli.ok("edit", "2", "--owner", "@lee")
    gh.reset_log()
    result = run_cli("sync", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["targets"]["gh"]["updated"] == 1
    assert [a["login"] for a in gh.issue_json(REPO, numbers[2])["assignees"]] == ["leepark"]
    writes = [(r.method, r.path.split("/api/v3")[-1]) for r in gh.requests if r.method != "GET"]
    assigning = f"/repos/{REPO}/issues/{numbers[2]}/assignees"
    assert ("POST", assigning) in writes and ("DELETE", assigning) in writes
    assert all(path.startswith(f"/repos/{REPO}/issues/{numbers[2]}") for _, path in writes)  # only that issue
    for other in (1, 3):
        assert [a["login"] for a in gh.issue_json(REPO, numbers[other])["assignees"]] == ["dana-w"]
    gh.reset_log()
    again = json.loads(run_cli.ok("sync", "--format", "json").stdout)["targets"]["gh"]
    assert again["updated"] == 0 and not [r for r in gh.requests if r.method != "GET"]  # settled
    assert [a["login"] for a in gh.issue_json(REPO, numbers[2])["assignees"]] == ["leepark"]


def test_19_16_reassignment_to_someone_github_will_not_assign_keeps_the_old_owner(
    gh, run_cli, make_config, workdir, db_url
):
    from ops_support import link_rows

    extra = '\n[people."ghost"]\ngithub = "ghost-user"\naliases = ["@ghost"]\n'
    make_config(github_config(gh.api_url) + extra)
    run_cli.ok("import", str(write_items(workdir / "pm", 1)))
    run_cli.ok("sync")
    [number] = [row.remote_number for row in link_rows(db_url)]
    run_cli.ok("edit", "1", "--owner", "@ghost")  # not a collaborator: GitHub ignores the login
    gh.reset_log()
    run_cli("sync")
    assert [a["login"] for a in gh.issue_json(REPO, number)["assignees"]] == ["dana-w"]  # nobody unassigned
    assert not [r for r in gh.requests if r.method == "DELETE"]


# Found by the docs-recipe test: README's `relink 1 .../issues/40`, then `edit 1 --deadline`, then sync.
# Duplicate detection (issue 19 point 4) once took the relinked issue for a duplicate of the first one.
def test_docs_relinked_issue_without_a_block_keeps_the_deadline_local(gh, run_cli, make_config, workdir):
    make_config(github_config(gh.api_url))
    run_cli.ok("import", str(write_items(workdir / "pm", 1)))
    run_cli.ok("sync")
    number = gh.create_issue(REPO, "Filed by a person", body="Steps to reproduce: ...")
    run_cli.ok("relink", "1", f"{gh.url}/{REPO}/issues/{number}")
    run_cli.ok("edit", "1", "--deadline", "2030-09-01")
    first = json.loads(run_cli.ok("sync", "--format", "json").stdout)["targets"]["gh"]
    assert first["errors"] == 0 and first["stopped"] is None
    assert gh.issue_json(REPO, number)["state"] == "open"  # never close an issue tracker did not create
    [linked] = json.loads(run_cli.ok("list", "--format", "json").stdout)[0]["links"]
    assert linked["key"] == f"{REPO}#{number}"  # the relink stands
    assert gh.issue(REPO, number).body == "Steps to reproduce: ..."  # the person's text, untouched
    gh.reset_log()
    again = json.loads(run_cli.ok("sync", "--format", "json").stdout)["targets"]["gh"]
    assert again["updated"] == 0 and again["requests"] == 1  # settled: not pushed again every run
    [row] = json.loads(run_cli.ok("list", "--format", "json").stdout)
    assert row["deadline"] == "2030-09-01"


@pytest.mark.parametrize("url", ["ftp://acme.atlassian.net", "acme.atlassian.net", "https://"])
def test_19_15_jira_url_must_be_http_with_a_host(url):
    from tracker.config import config_from_text
    from tracker.errors import ConfigError

    with pytest.raises(ConfigError) as raised:
        config_from_text(
            f'[targets.ops]\nkind = "jira"\nurl = "{url}"\nflavor = "datacenter"\nproject = "OPS"\n'
            'token_env = "JIRA_TOKEN"\n'
        )
    assert any(problem.startswith("[targets.ops] url: must be an http") for problem in raised.value.problems)


PASTED_WEBHOOK = "T0PASTEDx9B0SECRETx7hookPART"  # a webhook fragment pasted into *_env: a valid name


@pytest.mark.parametrize("kind", ["slack", "teams"])
def test_19_9_notify_env_keys_are_never_echoed_unset(run_cli, make_config, kind):
    from notify_support import PEOPLE, add_items

    make_config(f'{PEOPLE}\n[notify.chat]\nkind = "{kind}"\nwebhook_url_env = "{PASTED_WEBHOOK}"\n')
    add_items(run_cli)
    for args in (["digest", "--notify", "chat", "--dry-run"], ["digest", "--notify", "chat"], ["check"]):
        result = run_cli(*args)
        assert PASTED_WEBHOOK not in result.output, (args, result.output)
    failed = run_cli("digest", "--notify", "chat")
    assert failed.exit_code != 0 and "[notify.chat] webhook_url_env" in failed.output


def test_a_reader_that_goes_away_is_not_an_error(run_cli, make_config, workdir):
    """`tracker list | head`: the closed pipe ends the command quietly, with no 'error:' line."""
    import subprocess
    import sys

    config = make_config("")
    for number in range(3):
        run_cli.ok("add", f"Add a lag alert for queue {number} at 30 s", "-p", "inc-1", "--new")
    shell = f"{sys.executable} -m tracker --config {config} list | true; echo exit=${{PIPESTATUS[0]}}"
    done = subprocess.run(["bash", "-c", shell], capture_output=True, text=True, timeout=120)
    assert "exit=0" in done.stdout  # `true` has gone before tracker starts writing
    assert "error" not in done.stderr.lower() and "Traceback" not in done.stderr
