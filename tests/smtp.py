"""A real SMTP server on 127.0.0.1 for tests (aiosmtpd), collecting what it receives."""

import email
import logging
import socket
from email.message import Message

from aiosmtpd.controller import Controller

logging.getLogger("mail.log").setLevel(logging.WARNING)


class _Collector:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


class LoopbackSMTPServer:
    """Start/stop an SMTP server on a free loopback port; `messages` holds the parsed mails."""

    def __init__(self) -> None:
        self.port = _free_port()
        self._collector = _Collector()
        self._controller = Controller(self._collector, hostname="127.0.0.1", port=self.port)

    @property
    def messages(self) -> list[Message]:
        return self._collector.messages

    def start(self) -> "LoopbackSMTPServer":
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
