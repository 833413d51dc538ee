"""GitHub App auth end to end: a signed JWT buys an installation token; issues come from the bot."""

from __future__ import annotations

import json

import pytest

from tracker.sandbox.github import FakeGitHub

REPO = "acme/platform"


@pytest.fixture
def app_key(tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    path = tmp_path / "app.pem"
    path.write_text(private)
    return path, private, public


def _config(api_url: str, key_path, app_id: str = "4242", installation: int = 77) -> str:
    return f"""
[targets.gh]
kind = "github"
repo = "{REPO}"
api_url = "{api_url}"
app_id = "{app_id}"
installation_id = {installation}
private_key_path = "{key_path}"

[sync]
confirm_first_push = false
"""


def test_sync_as_a_github_app(run_cli, make_config, app_key):
    path, private, public = app_key
    with FakeGitHub(strict_auth=True) as gh:
        gh.add_repo(REPO, private=True)
        gh.add_app("4242", public, {77: "tracker-app[bot]"})
        gh.add_collaborator(REPO, "tracker-app[bot]")
        make_config(_config(gh.api_url, path))
        run_cli.ok("add", "Alert when queue depth > 1000 for 5 min", "-p", "inc-1")
        result = run_cli("sync", "--format", "json")
        assert result.exit_code == 0, result.stdout + result.stderr
        assert json.loads(result.stdout)["targets"]["gh"]["created"] == 1
        [issue] = gh.issues(REPO)
        assert issue.user == "tracker-app[bot]"
        assert private.splitlines()[1] not in result.stdout + result.stderr


def test_wrong_installation_is_a_clean_failure(run_cli, make_config, app_key):
    path, private, public = app_key
    with FakeGitHub(strict_auth=True) as gh:
        gh.add_repo(REPO, private=True)
        gh.add_app("4242", public, {77: "tracker-app[bot]"})
        make_config(_config(gh.api_url, path, installation=78))
        run_cli.ok("add", "Alert when queue depth > 1000 for 5 min", "-p", "inc-1")
        result = run_cli("sync")
        assert result.exit_code == 1 and "Traceback" not in result.stderr
        out = result.stdout + result.stderr
        assert "installation" in out.lower() and private.splitlines()[1] not in out
        assert not gh.issues(REPO)
