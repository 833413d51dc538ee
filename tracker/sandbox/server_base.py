"""The fakes' HTTP server: threaded, loopback, quiet about clients that hang up mid-answer."""

from __future__ import annotations

import sys
from http.server import ThreadingHTTPServer
from typing import Any


class LoopbackServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client killed or timed out mid-request (the kill and timeout tests do it on purpose) is
        # what a real server shrugs off; anything else is a bug in the fake and is printed.
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)
