"""One HTTP POST to a checked destination: pinned address, short timeouts, no redirects.

The connection goes to the address the SSRF guard approved (`Destination.addresses`), with the
URL's host in the Host header and, for HTTPS, in SNI and certificate verification. Redirects are
never followed (a 3xx is a failed attempt naming the Location), so a receiver cannot bounce a
delivery to another host. At most `MAX_BODY` bytes of the answer are read.
"""

import http.client
import socket
import ssl
import time
from dataclasses import dataclass

from itsm.notifications.ssrf import Destination

MAX_BODY = 2048


@dataclass(frozen=True)
class Response:
    status: int
    body: str
    elapsed_ms: int
    location: str = ""


def post(
    destination: Destination,
    body: bytes,
    headers: dict[str, str],
    *,
    connect_timeout: float,
    read_timeout: float,
) -> Response:
    """POST `body`; raises OSError (incl. timeouts) and http.client.HTTPException on transport failure."""
    started = time.monotonic()
    sock = _connect(destination, connect_timeout)
    sock.settimeout(read_timeout)
    connection = _connection(destination, sock, read_timeout)
    try:
        connection.putrequest("POST", destination.target, skip_host=True, skip_accept_encoding=True)
        for name, value in {
            "Host": destination.host_header,
            "Content-Length": str(len(body)),
            **headers,
        }.items():
            connection.putheader(name, value)
        connection.endheaders(body)
        answer = connection.getresponse()
        content = answer.read(MAX_BODY)
        return Response(
            status=answer.status,
            body=content.decode("utf-8", errors="replace"),
            elapsed_ms=round((time.monotonic() - started) * 1000),
            location=answer.getheader("Location", "") or "",
        )
    finally:
        connection.close()


def _connect(destination: Destination, timeout: float) -> socket.socket:
    """The first of the checked addresses that accepts a connection within `timeout`."""
    error: OSError | None = None
    for address in destination.addresses:
        try:
            return socket.create_connection((address, destination.port), timeout=timeout)
        except OSError as exc:
            error = exc
    raise error or OSError("no address to connect to")


def _connection(destination: Destination, sock: socket.socket, timeout: float) -> http.client.HTTPConnection:
    if destination.scheme == "https":
        context = ssl.create_default_context()
        sock = context.wrap_socket(sock, server_hostname=destination.host)
    connection = http.client.HTTPConnection(destination.host, destination.port, timeout=timeout)
    connection.sock = sock  # already connected (to the checked address): connect() is not called
    return connection
