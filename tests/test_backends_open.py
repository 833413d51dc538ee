"""open_backend: one Config in, the create budget shared through the database engine when one is given."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from tracker.backends import open_backend
from tracker.backends.github import GitHubBackend
from tracker.backends.jira import JiraBackend
from tracker.backends.pacing_db import SharedCreateBudget
from tracker.config import config_from_text
from tracker.db import make_engine, upgrade
from tracker.errors import ConfigError
from tracker.models import CreateBudgetRow
from tracker.sandbox.github import FakeGitHub
from tracker.sandbox.jira import FakeJira

TOKEN_ENV = "OPEN_BACKEND_TEST_TOKEN"


@pytest.fixture
def gh() -> Iterator[FakeGitHub]:
    with FakeGitHub() as server:
        server.add_repo("acme/one")
        server.add_repo("acme/two")
        yield server


def config_text(api_url: str, jira_url: str = "http://127.0.0.1:9") -> str:
    targets = "".join(
        f'[targets.{name}]\nkind = "github"\nrepo = "acme/{name}"\napi_url = "{api_url}"\ntoken_env = "{TOKEN_ENV}"\n'
        for name in ("one", "two")
    )
    jira = (
        f'[targets.ops]\nkind = "jira"\nurl = "{jira_url}"\nflavor = "cloud"\nproject = "OPS"\n'
        'email_env = "OPEN_BACKEND_JIRA_EMAIL"\ntoken_env = "OPEN_BACKEND_JIRA_TOKEN"\n'
    )
    return targets + jira


def test_targets_sharing_a_token_share_one_database_budget(
    gh: FakeGitHub, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    gh.add_token("open-backend-token", "alice")
    monkeypatch.setenv(TOKEN_ENV, "open-backend-token")
    config = config_from_text(config_text(gh.api_url))
    engine = make_engine(db_url)
    upgrade(engine)
    one, two = open_backend(config, "one", engine=engine), open_backend(config, "two", engine=engine)
    assert isinstance(one, GitHubBackend) and isinstance(two, GitHubBackend)
    assert isinstance(one.budget, SharedCreateBudget) and one.budget is two.budget
    one.budget.acquire()
    with engine.connect() as connection:
        assert len(connection.execute(select(CreateBudgetRow)).all()) == 1  # the spend is in the database
    other = make_engine(db_url)  # another process or host: its own object, the same row
    assert open_backend(config, "one", engine=other).budget is not one.budget  # type: ignore[attr-defined]
    without = open_backend(config, "one")
    assert not isinstance(without.budget, SharedCreateBudget)  # type: ignore[attr-defined]
    with pytest.raises(ConfigError) as caught:
        open_backend(config, "nope", engine=engine)
    assert "unknown target 'nope'" in caught.value.message and "one" in caught.value.message


def test_a_jira_target_opens_the_jira_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeJira("cloud") as jira:
        monkeypatch.setenv("OPEN_BACKEND_JIRA_EMAIL", jira.email)
        monkeypatch.setenv("OPEN_BACKEND_JIRA_TOKEN", jira.api_token)
        backend = open_backend(config_from_text(config_text("http://127.0.0.1:9/api/v3", jira.url)), "ops")
        assert isinstance(backend, JiraBackend) and backend.preflight(None).ok
        assert jira.count() == 3  # serverInfo, the project's issue types, the type's create fields
