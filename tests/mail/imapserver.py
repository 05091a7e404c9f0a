"""A small IMAP4rev1 server on 127.0.0.1 for tests, speaking the protocol imaplib speaks.

It implements what a poller needs — CAPABILITY, LOGIN, SELECT, UID SEARCH (ALL, UNSEEN,
UNDELETED), UID FETCH BODY.PEEK[] / BODY[] with literals, UID STORE ±FLAGS, UID COPY,
UID MOVE (RFC 6851, can be switched off), EXPUNGE, NOOP, LOGOUT — with tagged OK/NO/BAD
responses, so the client code under test runs unchanged against it.
"""

import re
import socketserver
import threading
from dataclasses import dataclass, field


@dataclass
class StoredMessage:
    uid: int
    data: bytes
    flags: set[str] = field(default_factory=set)


@dataclass
class FakeMailStore:
    username: str = "desk"
    password: str = "s3cret pass"
    folders: dict[str, list[StoredMessage]] = field(default_factory=lambda: {"INBOX": [], "Processed": []})
    supports_move: bool = True
    next_uid: int = 1
    commands: list[str] = field(default_factory=list)

    def deliver(self, data: bytes, folder: str = "INBOX") -> int:
        uid = self.next_uid
        self.next_uid += 1
        self.folders[folder].append(StoredMessage(uid, data))
        return uid


_ARG = re.compile(r'"((?:[^"\\]|\\.)*)"|(\S+)')


class _Handler(socketserver.StreamRequestHandler):
    store: FakeMailStore

    def handle(self) -> None:
        self.selected: str | None = None
        self.authenticated = False
        self._send(b"* OK fake IMAP4rev1 server ready")
        while True:
            line = self.rfile.readline()
            if not line:
                return
            text = line.decode("utf-8", "replace").rstrip("\r\n")
            self.store.commands.append(text)
            tag, _, rest = text.partition(" ")
            command, _, args = rest.partition(" ")
            method = getattr(self, f"do_{command.upper()}", None)
            if method is None:
                self._send(f"{tag} BAD unknown command".encode())
                continue
            if method(tag, args) == "quit":
                return

    # --- commands ---------------------------------------------------------------------

    def do_CAPABILITY(self, tag: str, args: str) -> None:
        caps = "IMAP4rev1 UIDPLUS" + (" MOVE" if self.store.supports_move else "")
        self._send(f"* CAPABILITY {caps}".encode())
        self._ok(tag, "CAPABILITY completed")

    def do_NOOP(self, tag: str, args: str) -> None:
        self._ok(tag, "NOOP completed")

    def do_LOGIN(self, tag: str, args: str) -> None:
        user, password = self._args(args)[:2]
        if (user, password) != (self.store.username, self.store.password):
            self._send(f"{tag} NO [AUTHENTICATIONFAILED] Invalid credentials".encode())
            return
        self.authenticated = True
        self._ok(tag, "LOGIN completed")

    def do_SELECT(self, tag: str, args: str) -> None:
        folder = self._args(args)[0]
        if not self.authenticated or folder not in self.store.folders:
            self._send(f"{tag} NO no such folder".encode())
            return
        self.selected = folder
        self._send(f"* {len(self._messages())} EXISTS".encode())
        self._send(b"* OK [UIDVALIDITY 1] UIDs valid")
        self._ok(tag, "[READ-WRITE] SELECT completed")

    def do_UID(self, tag: str, args: str) -> None:
        sub, _, rest = args.partition(" ")
        method = getattr(self, f"uid_{sub.upper()}", None)
        if method is None or self.selected is None:
            self._send(f"{tag} BAD UID {sub} not supported here".encode())
            return
        method(tag, rest)

    def uid_SEARCH(self, tag: str, args: str) -> None:
        criteria = args.upper().split()
        found = [
            m.uid
            for m in self._messages()
            if ("UNSEEN" not in criteria or "\\Seen" not in m.flags)
            and ("UNDELETED" not in criteria or "\\Deleted" not in m.flags)
        ]
        self._send(("* SEARCH " + " ".join(map(str, found))).rstrip().encode())
        self._ok(tag, "SEARCH completed")

    def uid_FETCH(self, tag: str, args: str) -> None:
        uid_text, _, items = args.partition(" ")
        for seq, message in self._matching(uid_text):
            if "PEEK" not in items.upper():
                message.flags.add("\\Seen")
            head = f"* {seq} FETCH (UID {message.uid} BODY[] {{{len(message.data)}}}\r\n".encode()
            self.wfile.write(head + message.data + b")\r\n")
        self._ok(tag, "FETCH completed")

    def uid_STORE(self, tag: str, args: str) -> None:
        uid_text, mode, flags = args.split(" ", 2)
        names = set(flags.strip("()").split())
        for seq, message in self._matching(uid_text):
            if mode.upper().startswith("+"):
                message.flags |= names
            else:
                message.flags -= names
            flags = " ".join(sorted(message.flags))
            self._send(f"* {seq} FETCH (UID {message.uid} FLAGS ({flags}))".encode())
        self._ok(tag, "STORE completed")

    def uid_COPY(self, tag: str, args: str) -> None:
        self._transfer(tag, args, move=False)

    def uid_MOVE(self, tag: str, args: str) -> None:
        if not self.store.supports_move:
            self._send(f"{tag} BAD MOVE not supported".encode())
            return
        self._transfer(tag, args, move=True)

    def do_EXPUNGE(self, tag: str, args: str) -> None:
        messages = self._messages()
        for seq in range(len(messages), 0, -1):
            if "\\Deleted" in messages[seq - 1].flags:
                del messages[seq - 1]
                self._send(f"* {seq} EXPUNGE".encode())
        self._ok(tag, "EXPUNGE completed")

    def do_LOGOUT(self, tag: str, args: str) -> str:
        self._send(b"* BYE logging out")
        self._ok(tag, "LOGOUT completed")
        return "quit"

    # --- helpers ----------------------------------------------------------------------

    def _transfer(self, tag: str, args: str, *, move: bool) -> None:
        uid_text, target = args.split(" ", 1)
        target = self._args(target)[0]
        if target not in self.store.folders:
            self._send(f"{tag} NO [TRYCREATE] no such folder".encode())
            return
        for seq, message in reversed(self._matching(uid_text)):
            self.store.deliver(message.data, target)
            if move:
                del self._messages()[seq - 1]
                self._send(f"* {seq} EXPUNGE".encode())
        self._ok(tag, "COPY completed" if not move else "MOVE completed")

    def _messages(self) -> list[StoredMessage]:
        return self.store.folders[self.selected]

    def _matching(self, uid_text: str) -> list[tuple[int, StoredMessage]]:
        wanted = {int(part) for part in uid_text.split(",") if part.isdigit()}
        return [(seq, m) for seq, m in enumerate(self._messages(), start=1) if m.uid in wanted]

    def _args(self, text: str) -> list[str]:
        found = _ARG.findall(text)
        return [quoted.replace('\\"', '"') if quoted or bare is None else bare for quoted, bare in found]

    def _ok(self, tag: str, text: str) -> None:
        self._send(f"{tag} OK {text}".encode())

    def _send(self, data: bytes) -> None:
        self.wfile.write(data + b"\r\n")


class FakeIMAPServer:
    """Start/stop the server on a free loopback port; `store` holds folders and messages."""

    def __init__(self, store: FakeMailStore | None = None) -> None:
        self.store = store or FakeMailStore()
        handler = type("Handler", (_Handler,), {"store": self.store})
        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> "FakeIMAPServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
