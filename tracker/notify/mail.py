"""E-mail: a plain-text and a phone-friendly HTML part (and the report attached), sent and checked over SMTP."""

from __future__ import annotations

import html
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from tracker.notify.channels import EmailChannel, secret
from tracker.notify.delivery import DeliveryError
from tracker.notify.message import Entry, Message, cut, more_text

LINES_PER_SECTION = 50  # mail has room; a phone still wants the list to end somewhere


def _plain(message: Message) -> str:
    lines = [message.title, "=" * min(len(message.title), 70), ""]
    if message.recipient:
        lines += [f"For {message.recipient.name}", ""]
    lines += [*message.intro, ""] if message.intro else []
    for section in message.sections:
        shown, left = cut(section.entries, LINES_PER_SECTION)
        lines.append(f"{section.heading} ({len(section.entries)})")
        for entry in shown:
            lines.append(
                f"- {entry.text}" + (f"\n  {entry.label or 'issue'}: {entry.url}" if entry.url else "")
            )
        if not shown:
            lines.append(f"- {section.empty}")
        if left:
            lines.append(f"- {more_text(left, message.link)}")
        lines.append("")
    if message.link:
        lines += [f"{message.link[0]}: {message.link[1]}", ""]
    lines.append(message.footer)
    return "\n".join(lines) + "\n"


def _html_entry(entry: Entry) -> str:
    link = (
        f' <a href="{html.escape(entry.url)}" style="color:#0969da">{html.escape(entry.label or "issue")}</a>'
        if entry.url
        else ""
    )
    return f'<li style="margin:0 0 8px">{html.escape(entry.text)}{link}</li>'


def _html(message: Message) -> str:
    parts = [
        '<!DOCTYPE html><html><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1"></head>',
        '<body style="margin:0;padding:16px;font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,'
        'sans-serif;font-size:16px;line-height:1.45;color:#1f2328">',
        '<div style="max-width:600px;margin:0 auto">',
        f'<h1 style="font-size:20px;margin:0 0 12px">{html.escape(message.title)}</h1>',
    ]
    if message.recipient:
        parts.append(f"<p>For {html.escape(message.recipient.name)}</p>")
    for line in message.intro:
        parts.append(f'<p style="margin:0 0 6px">{html.escape(line)}</p>')
    for section in message.sections:
        shown, left = cut(section.entries, LINES_PER_SECTION)
        heading = f"{section.heading} ({len(section.entries)})"
        parts.append(f'<h2 style="font-size:17px;margin:20px 0 8px">{html.escape(heading)}</h2>')
        items = [_html_entry(e) for e in shown] or [f"<li>{html.escape(section.empty)}</li>"]
        if left:
            items.append(f"<li><em>{html.escape(more_text(left, None))}</em></li>")
        parts.append('<ul style="padding-left:20px;margin:0">' + "".join(items) + "</ul>")
    if message.link:
        label, url = message.link
        parts.append(
            f'<p style="margin:20px 0"><a href="{html.escape(url)}" style="display:inline-block;'
            f'padding:10px 14px;background:#0969da;color:#fff;text-decoration:none;border-radius:6px">'
            f"{html.escape(label)}</a></p>"
        )
    parts.append(
        f'<p style="color:#656d76;font-size:13px">{html.escape(message.footer)}</p></div></body></html>'
    )
    return "".join(parts)


def render(message: Message, sender: str, to: list[str], message_id: str | None = None) -> EmailMessage:
    mail = EmailMessage()
    mail["Subject"] = message.mail_subject
    mail["From"] = sender
    mail["To"] = ", ".join(to)
    mail["Date"] = formatdate(localtime=False)
    domain = sender.rsplit("@", 1)[-1].strip("> ") or None
    mail["Message-ID"] = make_msgid(idstring=message_id, domain=domain)
    mail.set_content(_plain(message))
    mail.add_alternative(_html(message), subtype="html")
    for attachment in message.attachments:
        subtype = attachment.mime.partition("/")[2]
        mail.add_attachment(attachment.content, subtype=subtype or "plain", filename=attachment.filename)
    return mail


class EmailSender:
    def __init__(self, channel: EmailChannel) -> None:
        self.channel = channel

    def payload(self, message: Message, message_id: str | None = None) -> EmailMessage:
        person = message.recipient
        to = [person.email] if person and person.email else list(self.channel.to)
        return render(message, self.channel.sender, to, message_id)

    def destination(self, payload: EmailMessage) -> str:
        return f"e-mail to {payload['To']} via {self.channel.smtp_host}:{self.channel.port}"

    def preview(self, payload: EmailMessage) -> str:
        lines = [f"{name}: {value}" for name, value in payload.items() if name in ("Subject", "From", "To")]
        for part in payload.walk():
            if part.is_multipart():
                continue
            name = part.get_filename()
            if part.get_content_type() == "text/plain" and not name:
                lines += ["", str(part.get_content()).rstrip()]
            else:
                size = len(str(part.get_content()))
                lines.append(
                    f"[{part.get_content_type()} part{f' {name}' if name else ''}, {size} characters]"
                )
        return "\n".join(lines)

    def _connect(self) -> smtplib.SMTP:
        channel = self.channel
        context = ssl.create_default_context()
        try:
            if channel.security == "tls":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    channel.smtp_host, channel.port, timeout=channel.timeout_seconds, context=context
                )
            else:
                smtp = smtplib.SMTP(channel.smtp_host, channel.port, timeout=channel.timeout_seconds)
            smtp.ehlo()
            if channel.security == "starttls":
                smtp.starttls(context=context)
                smtp.ehlo()
            if channel.username_env:
                smtp.login(secret(channel, "username_env"), secret(channel, "password_env"))
        except smtplib.SMTPAuthenticationError as exc:
            raise DeliveryError(f"SMTP login refused: {exc.smtp_code}") from None
        except smtplib.SMTPResponseException as exc:
            raise DeliveryError(
                f"SMTP server answered {exc.smtp_code} {_text(exc.smtp_error)}",
                retryable=400 <= exc.smtp_code < 500,
            ) from None
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(
                f"cannot talk to {channel.smtp_host}:{channel.port}: {exc.__class__.__name__} {exc}",
                retryable=True,
            ) from None
        return smtp

    def send(self, payload: EmailMessage) -> str:
        if not payload["To"]:
            raise DeliveryError("no recipient: set `to` on the channel (or [people] email for reminders)")
        smtp = self._connect()
        try:
            refused = smtp.send_message(payload)
        except smtplib.SMTPRecipientsRefused as exc:
            raise DeliveryError(f"every recipient refused: {', '.join(exc.recipients)}") from None
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            raise DeliveryError(
                f"SMTP server answered {exc.smtp_code} {_text(exc.smtp_error)}",
                retryable=400 <= exc.smtp_code < 500,
            ) from None
        except (smtplib.SMTPException, OSError) as exc:
            # The connection died during the transaction: the server may have queued the message.
            raise DeliveryError(
                f"connection lost while sending: {exc.__class__.__name__}", uncertain=True
            ) from None
        finally:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                pass
        note = f" ({len(refused)} recipient(s) refused: {', '.join(refused)})" if refused else ""
        return f"{payload['Message-ID']}{note}"

    def check(self) -> tuple[list[str], list[str]]:
        """Connect, STARTTLS or TLS, and log in; no message is sent."""
        try:
            smtp = self._connect()
        except DeliveryError as exc:
            return [exc.message], []
        smtp.quit()
        login = "logged in" if self.channel.username_env else "no login configured"
        return [], [f"{self.channel.smtp_host}:{self.channel.port} ({self.channel.security}): {login}"]


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
