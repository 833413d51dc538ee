"""E-mail channels against a real local SMTP server (aiosmtpd): messages parsed back with `email`."""

from __future__ import annotations

import email
import email.policy
import json
import socket
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from notify_support import PEOPLE, add_items, ledger

USER, PASSWORD = "tracker", "s3cret-never-shown"


@pytest.fixture
def db_url(migrated_db_url: str) -> str:
    """These tests check notifications, not how a database is first made: start at head (conftest.migrated_db_url)."""
    return migrated_db_url


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), parsed))  # type: ignore[arg-type]
        return "250 OK"


def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    ok = (
        isinstance(data, LoginPassword) and data.login == USER.encode() and data.password == PASSWORD.encode()
    )
    return AuthResult(success=ok, handled=False)  # handled=False: the server answers 535 itself


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch):
    inbox = Inbox()
    with socket.socket() as probe:  # aiosmtpd's start-up self-test cannot connect to port 0: pick a free one
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(
        inbox, hostname="127.0.0.1", port=port, authenticator=authenticate, auth_require_tls=False
    )
    controller.start()
    monkeypatch.setenv("TRACKER_TEST_SMTP_USER", USER)
    monkeypatch.setenv("TRACKER_TEST_SMTP_PASSWORD", PASSWORD)
    yield inbox, port
    controller.stop()


def channel(port: int, extra: str = "") -> str:
    return f"""
[notify.mail]
kind = "email"
smtp_host = "127.0.0.1"
smtp_port = {port}
security = "none"
username_env = "TRACKER_TEST_SMTP_USER"
password_env = "TRACKER_TEST_SMTP_PASSWORD"
from = "Tracker <tracker@acme.example>"
to = ["managers@acme.example"]
timeout_seconds = 5
{extra}"""


def parts(message: email.message.EmailMessage) -> dict[str, str]:
    found = {}
    for part in message.walk():
        if not part.is_multipart():
            found[part.get_filename() or part.get_content_type()] = part.get_content()
    return found


def test_report_summary_by_mail_with_the_html_report_attached(smtp, make_config, run_cli, db_url):
    inbox, port = smtp
    make_config(PEOPLE + channel(port))
    add_items(run_cli)
    result = run_cli.ok("report", "--notify", "mail")
    assert "mail (email): sent the summary for" in result.stdout
    [(rcpt, message)] = inbox.messages
    assert rcpt == ["managers@acme.example"]
    assert (
        message["Subject"].startswith("Postmortem follow-up")
        and message["From"] == "Tracker <tracker@acme.example>"
    )
    found = parts(message)
    plain = found["text/plain"]
    assert "4 items: 4 open" in plain and "Overdue (3)" in plain and "First summary on this channel." in plain
    assert "Alert on queue depth over 1000" in plain  # the most overdue item is listed with its owner
    assert "@lee, 10 days overdue" in plain
    assert "Without a person as owner (1)" in plain and "Write the cache runbook" in plain
    assert 'name="viewport"' in found["text/html"]
    attachment = next(name for name in found if name.startswith("tracker-report-"))
    assert "<html" in found[attachment].lower()
    # Same day: not sent again. The next day's summary says what changed (simulated by an older row).
    run_cli.ok("report", "--notify", "mail")
    assert len(inbox.messages) == 1 and [s for _, s in ledger(db_url)] == ["sent"]


def test_report_url_is_linked_instead_of_attached(smtp, make_config, run_cli):
    inbox, port = smtp
    make_config(PEOPLE + channel(port) + '\n[report]\nurl = "https://reports.acme.example/tracker.html"\n')
    add_items(run_cli)
    run_cli.ok("report", "--notify", "mail")
    found = parts(inbox.messages[0][1])
    assert not any(name.startswith("tracker-report-") for name in found)
    assert "Full report: https://reports.acme.example/tracker.html" in found["text/plain"]
    assert 'href="https://reports.acme.example/tracker.html"' in found["text/html"]


def test_reminders_go_to_each_owner_with_an_address(smtp, make_config, run_cli, db_url):
    inbox, port = smtp
    make_config(PEOPLE + channel(port))
    add_items(run_cli)
    result = run_cli.ok("remind", "--notify", "mail")
    assert [rcpt for rcpt, _ in inbox.messages] == [["dana@acme.example"]]
    assert "lee: no [people] email; reminder not sent" in result.stdout
    plain = parts(inbox.messages[0][1])["text/plain"]
    assert "For Dana Whitfield" in plain and "Overdue (1)" in plain and "Due soon (1)" in plain
    run_cli.ok("remind", "--notify", "mail")
    assert len(inbox.messages) == 1
    assert {key.split(":")[2] for key, _ in ledger(db_url)} == {"dana"}


def test_dry_run_shows_the_mail_and_sends_nothing(smtp, make_config, run_cli, db_url):
    inbox, port = smtp
    make_config(PEOPLE + channel(port))
    add_items(run_cli)
    result = run_cli.ok("digest", "--notify", "mail", "--dry-run")
    assert "Subject: Postmortem action items: week" in result.stdout
    assert "To: managers@acme.example" in result.stdout and "[text/html part" in result.stdout
    assert inbox.messages == [] and ledger(db_url) == []


def test_check_logs_in_without_sending_and_a_wrong_password_fails(smtp, make_config, run_cli, monkeypatch):
    inbox, port = smtp
    make_config(PEOPLE + channel(port))
    result = run_cli.ok("check", "--notify", "mail")
    assert f"127.0.0.1:{port} (none): logged in" in result.stdout and inbox.messages == []
    monkeypatch.setenv("TRACKER_TEST_SMTP_PASSWORD", "wrong-password")
    bad = run_cli("check", "--notify", "mail", "--format", "json")
    assert bad.exit_code == 1
    assert json.loads(bad.stdout)[0]["problems"] == ["SMTP login refused: 535"]
    assert "wrong-password" not in bad.output


def test_a_refused_login_fails_the_send_and_keeps_the_ledger(smtp, make_config, run_cli, monkeypatch, db_url):
    inbox, port = smtp
    make_config(PEOPLE + channel(port))
    add_items(run_cli)
    monkeypatch.setenv("TRACKER_TEST_SMTP_PASSWORD", "wrong-password")
    result = run_cli("digest", "--notify", "mail")
    assert result.exit_code == 1 and "FAILED the digest" in result.stdout
    assert [s for _, s in ledger(db_url)] == ["failed"]
    monkeypatch.setenv("TRACKER_TEST_SMTP_PASSWORD", PASSWORD)
    run_cli.ok("digest", "--notify", "mail")
    assert len(inbox.messages) == 1 and [s for _, s in ledger(db_url)] == ["sent"]


def _self_signed(tmp_path):
    """A certificate for 127.0.0.1, trusted through SSL_CERT_FILE (what ssl's default context reads)."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_file, key_file


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_starttls_and_tls_with_login(security, tmp_path, make_config, run_cli, monkeypatch):
    import ssl

    cert_file, key_file = _self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_file))
    monkeypatch.setenv("TRACKER_TEST_SMTP_USER", USER)
    monkeypatch.setenv("TRACKER_TEST_SMTP_PASSWORD", PASSWORD)
    inbox = Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    options: dict[str, Any] = (
        {"tls_context": context, "require_starttls": True}
        if security == "starttls"
        # aiosmtpd does not see implicit TLS as TLS when deciding to offer AUTH; the socket is TLS anyway.
        else {"ssl_context": context, "auth_require_tls": False}
    )
    controller = Controller(inbox, hostname="127.0.0.1", port=port, authenticator=authenticate, **options)
    controller.start()
    try:
        make_config(PEOPLE + channel(port).replace('security = "none"', f'security = "{security}"'))
        add_items(run_cli)
        assert f"({security}): logged in" in run_cli.ok("check", "--notify", "mail").stdout
        run_cli.ok("digest", "--notify", "mail")
        assert [rcpt for rcpt, _ in inbox.messages] == [["managers@acme.example"]]
    finally:
        controller.stop()
