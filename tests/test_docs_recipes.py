"""Every command line shown in README.md and docs/*.md, parsed from the files, runs against the sandbox.

Code blocks (fenced and indented) are read as a shell would read them: cron lines without their
schedule, systemd `ExecStart=` (in its `WorkingDirectory=`), YAML `run:` and `command: [sh, -c, ...]`.
Each `tracker ...` in them runs, in document order, in a scratch site whose absolute paths live under a
temporary root (`/srv/tracker`, `/config/tracker.toml`, `/var/lib/node_exporter/...`), against the loopback
fake GitHub. Lines that only describe a command (`[--target NAME]`, `ITEM`, `json | markdown`) and
inline `tracker ...` spans in prose are checked for a real command and real options instead.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import socket
import subprocess
import sys
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner

from tracker.cli import COMMANDS, LazyGroup, cli
from tracker.sandbox.chat import BOT_TOKEN, FakeChat
from tracker.sandbox.github import FakeGitHub

REPO_ROOT = Path(__file__).resolve().parents[1]
DOCS = [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").glob("*.md"))]
TRACKER = str(Path(sys.executable).with_name("tracker"))
TOKEN = "ghp_DOCSsandboxTOKEN0123456789abcdefABCD"

# Programs in recipes that are not tracker and are not run, each with the reason.
NOT_RUN = {
    "pip": "installs tracker from PyPI: the test runs the tracker installed in this environment",
    "python3": "creates a virtualenv: the test runs the tracker installed in this environment",
    "bash": "CI's own script (.ci/run), not a tracker recipe",
    ".venv/bin/python": "the test suite itself",
    ".venv/bin/pip": "installs tracker: the test runs the tracker installed in this environment",
    "cp": "a backup copy before `tracker db upgrade`; nothing to check",
}
# Mistakes a page shows on purpose (to show the answer), each with the reason.
SHOWN_MISTAKES = {
    ("docs/cli.md", "lsit"): "shows the did-you-mean answer to a mistyped command",
}
# Commands that ask a person at a terminal to confirm: the test answers yes with --yes, and why.
CONFIRMED = {
    ("postmortem", "merge"): "asks 'merge ...?' at a terminal; a person answers yes",
}
# Commands a recipe runs that may end with exit 1 on the sandbox's data, and why that is right.
MAY_FAIL = {
    ("lint",): "lint exits 1 when it finds errors: the sample postmortems have vague items on purpose",
}
FILTERS = {"jq", "head", "grep", "less", "tee", "sort", "wc"}  # programs a tracker command may pipe into
SYNOPSIS_WORD = re.compile(r"^(\[.*|.*\]|[A-Z][A-Z_]+(\.\.\.)?|<[^>]+>|\.\.\.)$")


@dataclass
class Command:
    """One `tracker ...` invocation found in a document."""

    doc: str
    line: int
    kind: str  # sh, cron, systemd, yaml, inline
    argv: list[str]  # after `tracker`
    cwd: str | None = None  # a `cd DIR` or WorkingDirectory= before it
    stdin_file: str | None = None  # `cat FILE | tracker ...`
    synopsis: bool = False  # describes a command (placeholders, alternatives): check, do not run

    def __str__(self) -> str:
        return f"{self.doc}:{self.line} ({self.kind}) tracker {shlex.join(self.argv)}"


@dataclass
class Found:
    commands: list[Command] = field(default_factory=list)
    not_run: list[tuple[str, int, str]] = field(default_factory=list)  # (doc, line, program)


# Parsing ---------------------------------------------------------------------------------------------
def _blocks(text: str) -> Iterator[tuple[str, int, str]]:
    """(block language, line number, line) for every line inside a code block; ("inline", n, span)
    for every `tracker ...` code span in prose."""
    fence: str | None = None
    lang = ""
    previous_blank = True
    in_indented = False
    for number, line in enumerate(text.splitlines(), 1):
        opening = re.match(r"^\s*(```+|~~~+)\s*([\w-]*)", line)
        if fence is None and opening:
            fence, lang = opening.group(1), opening.group(2) or "sh"
            continue
        if fence is not None:
            if line.strip().startswith(fence):
                fence = None
            else:
                yield lang, number, line
            continue
        if line.startswith("    ") and (previous_blank or in_indented) and line.strip():
            in_indented = True
            yield "sh", number, line
        else:
            in_indented = in_indented and line.strip() != "" and line.startswith("    ")
            for span in re.findall(r"`(tracker [^`]+)`", line):
                yield "inline", number, span
        previous_blank = not line.strip()


def _shell_text(lang: str, line: str, state: dict[str, str | None]) -> tuple[str, str] | None:
    """The part of a code line a shell runs, and the recipe kind; None for lines that run nothing."""
    stripped = line.strip()
    if lang in ("sh", "bash", "shell", "console"):
        return stripped.removeprefix("$ "), "sh"
    if lang == "cron":
        fields = stripped.split(None, 5)
        return (fields[5], "cron") if len(fields) == 6 and not stripped.startswith("#") else None
    if lang in ("ini", "systemd"):
        if stripped.startswith("WorkingDirectory="):
            state["cwd"] = stripped.split("=", 1)[1]
        if stripped.startswith("ExecStart="):
            return stripped.split("=", 1)[1], "systemd"
        return None
    if lang in ("yaml", "yml"):
        command = re.search(r"command:\s*(\[[^\]]*\])", stripped)
        if command:
            argv = json.loads(command.group(1))
            return (argv[2] if argv[:2] == ["sh", "-c"] else shlex.join(argv)), "yaml"
        run = re.match(r"^-?\s*run:\s*(.+)$", stripped)
        if run:
            return run.group(1).split("  #")[0], "yaml"
        return None
    return None


def _split(shell: str) -> list[list[str]]:
    """Simple commands of a shell line, pipes marked by a "|" entry at the start of the next one."""
    lexer = shlex.shlex(shell, posix=True, punctuation_chars=";&|<>")
    lexer.whitespace_split = True
    lexer.commenters = "#"
    commands: list[list[str]] = [[]]
    redirect = False
    for token in lexer:
        if token in ("&&", "||", ";", "|"):
            commands.append(["|"] if token == "|" else [])
        elif token in (">", ">>", "<", "2>", "&>"):
            redirect = True  # the file after it is the shell's, not an argument
        elif redirect:
            redirect = False
        else:
            commands[-1].append(token)
    return [c for c in commands if c and c != ["|"]]


def _is_tracker(program: str) -> bool:
    return program == "tracker" or program.endswith("/tracker")


def parse(doc: Path) -> Found:
    found = Found()
    name = doc.relative_to(REPO_ROOT).as_posix()
    state: dict[str, str | None] = {"cwd": None}
    last_lang = None
    for lang, number, line in _blocks(doc.read_text(encoding="utf-8")):
        if lang != last_lang:
            state["cwd"] = None
            last_lang = lang
        if lang == "inline":
            try:
                argv = shlex.split(line)[1:]
            except ValueError:
                argv = line.split()[1:]
            found.commands.append(Command(name, number, "inline", argv, synopsis=True))
            continue
        shell = _shell_text(lang, line, state)
        if shell is None:
            continue
        text, kind = shell
        try:
            simple = _split(text)
        except ValueError:
            continue  # not shell (an output sample with an unbalanced quote)
        cwd = state["cwd"]
        stdin_file = None
        last: Command | None = None
        for argv in simple:
            piped = argv[0] == "|"
            argv = argv[1:] if piped else argv
            if not argv:
                continue
            program = argv[0]
            if piped and last is not None and not _is_tracker(program) and program not in FILTERS:
                last.synopsis = True  # `--format json | markdown | github`: one of, not a pipe
                continue
            if program == "cd" and len(argv) == 2:
                cwd = argv[1]
                continue
            if program == "cat" and len(argv) == 2:
                stdin_file = argv[1]
                continue
            if _is_tracker(program):
                rest = argv[1:]
                last = Command(name, number, kind, rest, cwd, stdin_file if piped else None)
                last.synopsis = any(SYNOPSIS_WORD.match(word) for word in rest)
                found.commands.append(last)
            elif program in NOT_RUN and not piped:
                found.not_run.append((name, number, program))
            stdin_file = None
    return found


# Checking options without running ----------------------------------------------------------------------
def _options(command: click.Command) -> set[str]:
    names: set[str] = set()
    for param in command.get_params(click.Context(command)):
        names.update(getattr(param, "opts", []))
        names.update(getattr(param, "secondary_opts", []))
    return names


def check_synopsis(command: Command) -> list[str]:
    """A described command must exist with every option it names."""
    ctx = click.Context(cli)
    argv = list(command.argv)
    group_options = _options(cli)
    while argv and argv[0].startswith("-"):  # global options before the command
        option = argv.pop(0)
        if option.split("=")[0] not in group_options:
            return [f"{command}: unknown global option {option}"]
        if option in ("--config",) and argv:
            argv.pop(0)
    if not argv:
        return []
    name = argv.pop(0)
    if SYNOPSIS_WORD.match(name):
        return []  # `tracker ...`, `tracker COMMAND`: any command
    if (command.doc, name) in SHOWN_MISTAKES:
        return []
    if name not in COMMANDS:
        return [f"{command}: no command {name!r}"]
    resolved = LazyGroup.get_command(cli, ctx, name)
    assert resolved is not None
    if isinstance(resolved, click.Group) and argv and not argv[0].startswith("-"):
        sub = argv.pop(0)
        if sub not in resolved.commands:
            return [f"{command}: no command {name} {sub!r}"]
        resolved = resolved.commands[sub]
    known = _options(resolved) | group_options
    problems = []
    for word in argv:
        option = word.strip("[]").split("=")[0]
        if option.startswith("-") and option not in ("-", "--") and option not in known:
            problems.append(f"{command}: `tracker {name}` has no option {option}")
    return problems


# The sandbox site -------------------------------------------------------------------------------------
CONFIG = """\
[database]
url = "{db_url}"

[org]
timezone = "UTC"

[targets.platform]
kind = "github"
repo = "acme/platform"
api_url = "{api_url}"
token_env = "GITHUB_TOKEN"
creates_per_minute = 100000
creates_per_hour = 100000

[routing]
default = "platform"

[people."dana"]
name = "Dana Whitfield"
github = "dana-w"
slack = "U0DANA"
email = "dana@acme.example"
aliases = ["@dana"]

[people."lee"]
github = "leepark"
slack = "U0LEE"
aliases = ["@lee"]

# The pages filter by team platform and by severity sev1 or critical: an unknown one is an error.
[teams.platform]
members = ["dana", "lee"]

[report]
severity_aliases = {{ sev1 = "critical", sev2 = "critical" }}

[remind]
digest_issue = "platform#40"

# The channels docs/follow-up.md's cron lines name, on the loopback chat fake and SMTP server.
[notify.team-slack]
kind = "slack"
webhook_url_env = "SLACK_WEBHOOK_URL"

[notify.slack-bot]
kind = "slack"
token_env = "SLACK_BOT_TOKEN"
channel = "C0123FOLLOW"
api_url = "{chat_api_url}"

[notify.managers-teams]
kind = "teams"
webhook_url_env = "TEAMS_WEBHOOK_URL"

[notify.managers-mail]
kind = "email"
smtp_host = "127.0.0.1"
smtp_port = {smtp_port}
security = "none"
from = "Postmortem tracker <tracker@acme.example>"
to = ["eng-managers@acme.example"]

[sync]
confirm_first_push = false
"""

ORDERS_API = """\
---
slug: 2026-06-19-orders-api
incident_date: 2026-06-19
severity: SEV2
---
# Orders API outage

## Action Items

| Action Item | Owner | Deadline | Status |
| --- | --- | --- | --- |
| Alert when orders-db p95 > 500 ms for 5 min | @dana | 2026-07-01 | Open |
| Add an index on orders.customer_id | @lee | Jul 15 | Open |
| Improve monitoring | | TBD | Open |
"""

INC_214 = """\
---
slug: inc-214
incident_date: 2026-06-02
---
# INC-214: cart cache stampede

## Action Items

- [ ] Add request coalescing to the cart-cache client (@dana, due 2026-07-10)
- [x] Raise cart-cache memory limit to 4 GiB (@lee, due 2026-06-05)
"""

OLD = """\
---
slug: inc-100
incident_date: 2024-03-01
---
# INC-100

## Action Items

| Action Item | Owner | Deadline | Status |
| --- | --- | --- | --- |
| Add a runbook for queue backlog alerts | @dana | 2024-04-01 | Done |
"""


class Inbox:
    """What the loopback SMTP server received."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
        self.messages.append(envelope.content)
        return "250 OK"


@dataclass
class Site:
    root: Path
    workdir: Path
    github: FakeGitHub
    env: dict[str, str]
    chat: FakeChat
    inbox: Inbox

    def translate(self, word: str) -> str:
        """A recipe's absolute path goes under the scratch root; a github.com URL to the sandbox."""
        if word.startswith("/"):
            return str(self.root / word.lstrip("/"))
        return word.replace("https://github.com/", f"{self.github.url}/")


@pytest.fixture
def site(tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    root = tmp_path / "root"
    workdir = root / "srv" / "tracker"
    for folder in (workdir / "postmortems", workdir / "old-postmortems", root / "config"):
        folder.mkdir(parents=True)
    (root / "var" / "lib" / "node_exporter").mkdir(parents=True)
    fake = FakeGitHub(content_creation_per_minute=100_000, content_creation_per_hour=100_000)
    fake.add_token(TOKEN, "tracker-bot")
    fake.add_repo("acme/platform", private=True, collaborators=["dana-w", "leepark", "tracker-bot"])
    for n in range(1, 41):  # `tracker relink 1 .../issues/40` and `digest_issue = "platform#40"`
        fake.create_issue("acme/platform", f"An older issue {n}")
    fake.start()
    chat = FakeChat().start()
    inbox = Inbox()
    with socket.socket() as probe:  # aiosmtpd's start-up self-test cannot use port 0: pick a free one
        probe.bind(("127.0.0.1", 0))
        smtp_port = probe.getsockname()[1]
    smtp = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    config = CONFIG.format(
        db_url=db_url, api_url=fake.api_url, chat_api_url=chat.api_url, smtp_port=smtp_port
    )
    (workdir / "tracker.toml").write_text(config, encoding="utf-8")
    (root / "config" / "tracker.toml").write_text(config, encoding="utf-8")
    (workdir / "postmortems" / "2026-06-19-orders-api.md").write_text(ORDERS_API, encoding="utf-8")
    (workdir / "postmortems" / "inc-214.md").write_text(INC_214, encoding="utf-8")
    # `tracker import 2026-06-19-orders-api.md` (docs/import.md): another team's copy, its own slug.
    (workdir / "2026-06-19-orders-api.md").write_text(
        ORDERS_API.replace("slug: 2026-06-19-orders-api", "slug: 2026-06-19-orders-api-payments"),
        encoding="utf-8",
    )
    (workdir / "postmortem.md").write_text(INC_214, encoding="utf-8")
    (workdir / "pm.md").write_text(ORDERS_API, encoding="utf-8")
    (workdir / "old-postmortems" / "inc-100.md").write_text(OLD, encoding="utf-8")
    # docs/cli.md's `postmortem merge queue-backlog-2026-5 queue-backlog-2026-05` and `remove inc-999`.
    # A mistyped slug holds other items than the right one; inc-999 was imported by mistake, done at
    # import and so never pushed.
    for n, (slug, status) in enumerate(
        (("queue-backlog-2026-5", "Open"), ("queue-backlog-2026-05", "Open"), ("inc-999", "Done"))
    ):
        text = OLD.replace("slug: inc-100", f"slug: {slug}").replace("| Done |", f"| {status} |")
        text = text.replace("queue backlog alerts", f"queue backlog alerts, part {n}")
        (workdir / "postmortems" / f"{slug}.md").write_text(text, encoding="utf-8")
    env = {
        "GITHUB_TOKEN": TOKEN,
        "TRACKER_DATABASE_URL": db_url,  # the GitHub Actions recipe passes it as a secret
        "XDG_CONFIG_HOME": str(tmp_path / "xdg-config"),
        "XDG_DATA_HOME": str(tmp_path / "xdg-data"),
        "HOME": str(tmp_path / "home"),
        "SLACK_WEBHOOK_URL": chat.slack_webhook_url(),
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "TEAMS_WEBHOOK_URL": chat.teams_webhook_url(),
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("TRACKER_CONFIG", raising=False)
    monkeypatch.chdir(workdir)
    # What a team has before it follows any page: a database holding its postmortems.
    for args in (["init"], ["import", "postmortems/"]):
        done = CliRunner().invoke(cli, args, catch_exceptions=False)
        assert done.exit_code == 0, done.output
    try:
        yield Site(root, workdir, fake, {**os.environ, **env}, chat, inbox)
    finally:
        fake.stop()
        chat.stop()
        smtp.stop()


def run(site: Site, command: Command) -> tuple[int, str]:
    """The command as the page has it, with its paths under the scratch root and github.com on the
    sandbox: what a scheduler runs (cron, systemd, YAML) as a separate process, the rest in-process."""
    argv = [site.translate(word) for word in command.argv]
    if tuple(argv[:2]) in CONFIRMED and "--yes" not in argv:
        argv.append("--yes")
    cwd = Path(site.translate(command.cwd)) if command.cwd else site.workdir
    stdin = (cwd / command.stdin_file).read_text(encoding="utf-8") if command.stdin_file else None
    if command.kind in ("cron", "systemd", "yaml"):
        proc = subprocess.run(
            [TRACKER, *argv], cwd=cwd, env=site.env, input=stdin, capture_output=True, text=True, timeout=180
        )
        return proc.returncode, proc.stdout + proc.stderr
    previous = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(cli, argv, input=stdin, catch_exceptions=True)
    finally:
        os.chdir(previous)
    output = result.stdout + result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        output += "".join(traceback.format_exception(result.exception))
    return result.exit_code, output


def _may_fail(command: Command) -> bool:
    return any(tuple(command.argv[: len(key)]) == key for key in MAY_FAIL)


# Tests --------------------------------------------------------------------------------------------------
ALL = {doc.relative_to(REPO_ROOT).as_posix(): parse(doc) for doc in DOCS}


def test_the_parser_finds_the_recipes():
    """The scheduling recipes are found where the pages show them (so the runs below can fail)."""
    kinds = {(c.doc, c.kind, shlex.join(c.argv)) for found in ALL.values() for c in found.commands}
    for doc in ("README.md", "docs/sync.md"):
        assert (doc, "cron", "sync -q --metrics-file /var/lib/node_exporter/tracker.prom") in kinds
        assert (doc, "systemd", "sync -q --metrics-file /var/lib/node_exporter/tracker.prom") in kinds
        assert (doc, "yaml", "--config /config/tracker.toml sync") in kinds
        assert (doc, "yaml", "sync --format json") in kinds
    assert ("docs/follow-up.md", "cron", "remind") in kinds
    runnable = [c for found in ALL.values() for c in found.commands if not c.synopsis]
    assert len(runnable) >= 50 and {c.doc for c in runnable} >= {
        "README.md",
        "docs/import.md",
        "docs/lint.md",
        "docs/report.md",
        "docs/sync.md",
        "docs/follow-up.md",
    }
    described = [c for found in ALL.values() for c in found.commands if c.synopsis and c.kind != "inline"]
    assert any(c.argv[:1] == ["doctor"] for c in described)  # docs/operations.md's synopsis lines


def test_every_program_a_recipe_does_not_run_is_listed_with_its_reason():
    skipped = {program for found in ALL.values() for _, _, program in found.not_run}
    assert skipped <= set(NOT_RUN)
    assert "pip" in skipped  # the Kubernetes and Actions recipes install tracker first


def test_every_described_command_and_option_exists():
    problems = [p for found in ALL.values() for c in found.commands if c.synopsis for p in check_synopsis(c)]
    assert problems == []


@pytest.mark.parametrize(
    "doc", [d for d, found in ALL.items() if any(not c.synopsis for c in found.commands)]
)
def test_every_documented_command_line_runs(doc: str, site: Site):
    failures = []
    for command in ALL[doc].commands:
        if command.synopsis:
            continue
        code, output = run(site, command)
        allowed = (0, 1) if _may_fail(command) else (0,)
        if code not in allowed or "Traceback" in output or "internal error" in output:
            failures.append(f"{command}\n  exit {code}\n  {output.strip()[:1500]}")
        assert TOKEN not in output
    assert failures == [], "\n".join(failures)


def test_the_scheduled_recipes_sync_and_write_metrics(site: Site):
    """The cron line, the systemd unit, the CronJob and the Actions step, run as written."""
    site.github.reset_log()
    recipes = [c for c in ALL["README.md"].commands if c.kind in ("cron", "systemd", "yaml")][:4]
    assert [c.argv[-1] for c in recipes] == ["/var/lib/node_exporter/tracker.prom"] * 2 + ["sync", "json"]
    metrics = site.root / "var" / "lib" / "node_exporter" / "tracker.prom"
    code, output = run(site, recipes[0])  # cron: creates the issues
    assert code == 0 and output == "", output
    text = metrics.read_text()
    assert 'tracker_sync_ok{target="platform"} 1' in text
    created = re.search(r'tracker_sync_created\{target="platform"\} (\d+)', text)
    assert created and int(created.group(1)) >= 3
    assert len(site.github.issues("acme/platform")) == 40 + int(created.group(1))
    for recipe in recipes[1:3]:
        code, output = run(site, recipe)
        assert code == 0, f"{recipe}\n{output}"
    code, output = run(site, recipes[3])  # the Actions step: JSON on stdout, nothing else
    assert code == 0 and json.loads(output)["ok"] is True, output


def test_the_follow_up_cron_lines_deliver_to_every_channel(site: Site):
    """docs/follow-up.md's notify schedule, run as cron would: each channel gets its message."""
    lines = [c for c in ALL["docs/follow-up.md"].commands if c.kind == "cron" and "--notify" in c.argv]
    assert {c.argv[0] for c in lines} == {"digest", "report", "remind"}
    for command in lines:
        code, output = run(site, command)
        assert code == 0, f"{command}\n{output}"
    services = {r.service for r in site.chat.received}
    assert {"slack-webhook", "slack-api", "teams"} <= services, services
    assert site.inbox.messages  # the managers' summary by mail
