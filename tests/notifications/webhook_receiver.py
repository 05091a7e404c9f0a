"""A real HTTP receiver on 127.0.0.1 for webhook tests and the benchmark (a thread per request).

Paths choose the behaviour: `/ok`, `/status/<code>`, `/slow/<seconds>`, `/redirect/<port>` (302 to
another host:port), anything else answers 200. Every request is recorded with its arrival time.
"""

import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORTS = range(18100, 18200)


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float = field(default_factory=time.monotonic)


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        parts = self.path.strip("/").split("/")
        status, extra = 200, {}
        if parts[0] == "status":
            status = int(parts[1])
        elif parts[0] == "slow":
            time.sleep(float(parts[1]))
        elif parts[0] == "redirect":
            status, extra = 302, {"Location": f"http://localhost:{parts[1]}/stolen"}
        self.server.received.append(Received(self.path, dict(self.headers.items()), body))
        reply = b"<b>answer</b>" + b"x" * 5000 if parts[0] == "big" else b"<b>ok</b>"
        try:
            self.send_response(status)
            for name, value in extra.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)
        except OSError:
            pass  # the client gave up (timeout test)

    def log_message(self, format, *args) -> None:  # quiet
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    received: list[Received]


class Receiver:
    """`with Receiver() as r:` r.url("/ok"), r.received."""

    def __init__(self) -> None:
        self.port = free_port()
        self.server = _Server(("127.0.0.1", self.port), _Handler)
        self.server.received = []
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def received(self) -> list[Received]:
        return self.server.received

    def url(self, path: str = "/ok", host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def start(self) -> "Receiver":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> "Receiver":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free receiver port in 18100-18199")
