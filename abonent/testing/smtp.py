"""A real SMTP server for tests (aiosmtpd on a free local port), with Django's SMTP backend pointed at it.

It keeps what it accepts and refuses the recipients in `refused` the way a mail server does (550 at RCPT), so
tests see our code meet a real refusal rather than a stand-in for one."""

import email
import re
import socket
from contextlib import contextmanager
from email import policy

from aiosmtpd.controller import Controller


class Inbox:
    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.refused: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m in self.messages if address in m["To"]]

    def link(self, to: str) -> str:
        """The first link of the newest message to `to`."""
        for message in reversed(self.messages):
            if to in message["To"]:
                text = message.get_body(preferencelist=("plain",)).get_content()
                return re.search(r"https?://\S+", text).group(0)
        raise AssertionError(f"no message to {to}: {[m['To'] for m in self.messages]}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def smtp_server(settings):
    """Start the server and point `settings` (pytest-django's fixture) at it; yields its Inbox."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    try:
        yield inbox
    finally:
        controller.stop()
