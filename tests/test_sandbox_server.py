"""The fakes' server base: a client hanging up mid-answer is not an error; anything else still is."""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler

import pytest

from tracker.sandbox.server_base import LoopbackServer


@pytest.fixture
def server():
    started = LoopbackServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    yield started
    started.server_close()


@pytest.mark.parametrize("hang_up", [BrokenPipeError, ConnectionResetError])
def test_a_client_hanging_up_prints_nothing(server, capsys, hang_up):
    try:
        raise hang_up()
    except hang_up:
        server.handle_error(None, ("127.0.0.1", 1))
    assert capsys.readouterr().err == ""


def test_a_bug_in_a_fake_is_still_printed(server, capsys):
    try:
        raise KeyError("missing route")
    except KeyError:
        server.handle_error(None, ("127.0.0.1", 1))
    err = capsys.readouterr().err
    assert "KeyError" in err and "missing route" in err
