"""The missing-token error names the variable when token_env holds a variable's name, and never
prints what could be a pasted token (tracker.config_secrets.named_variable)."""

from __future__ import annotations

import pytest

from tracker.config_secrets import named_variable


@pytest.mark.parametrize("value", ["GITHUB_TOKEN", "JIRA_API_TOKEN", " OPS_TOKEN_2 "])
def test_a_variable_name_is_named(value):
    assert named_variable(value) == f"${value.strip()}"


@pytest.mark.parametrize(
    "value",
    [
        "ghp_" + "a1B2c3D4" * 5,  # a pasted classic token
        "github_pat_11ABCDEFG0" + "x" * 40,
        "ATATT3xFfGF0" + "Q" * 30,  # an Atlassian API token
        "A" * 40,  # all caps but no underscore: could be a token
        "ABC_" + "D" * 80,  # too long to be a name someone typed
        "github_token",  # lower case: not what the brief calls a variable name
        "",
        None,
    ],
)
def test_anything_else_is_not_printed(value):
    shown = named_variable(value)
    assert shown == "the environment variable it names"
    assert not value or value not in shown
