"""The SSRF guard: webhooks only reach public addresses, unless an admin allowed the host.

A URL is checked when a subscription is saved (a clear message for the integrator) and again
at every delivery, because DNS can change between the two (DNS rebinding). Delivery then
connects to the very addresses checked here, never resolving the name a second time.
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class UnsafeDestination(ValueError):
    """The URL may not be called; the message says why, for the integrator."""


@dataclass(frozen=True)
class Destination:
    """A checked URL: where to connect (`addresses`) and what to ask for there."""

    scheme: str
    host: str
    port: int
    target: str  # path and query
    addresses: tuple[str, ...]

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == default else f"{host}:{self.port}"


def check_url(url: str) -> Destination:
    """Parse and resolve `url`; raise UnsafeDestination unless every address it has is allowed."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise UnsafeDestination("The URL must start with http:// or https://.")
    if parts.username or parts.password:
        raise UnsafeDestination("The URL must not contain a user name or password.")
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise UnsafeDestination("The URL has no host.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise UnsafeDestination("The URL's port is not a number between 1 and 65535.") from None
    addresses = resolve(host, port)
    if host not in allowed_hosts():
        for address in addresses:
            reason = refusal_reason(ipaddress.ip_address(address))
            if reason:
                raise UnsafeDestination(
                    f"{host} resolves to {address}, {reason}. Webhooks only call public addresses "
                    "unless an administrator allows the host (WEBHOOK_ALLOWED_HOSTS)."
                )
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Destination(parts.scheme, host, port, target, addresses)


def resolve(host: str, port: int) -> tuple[str, ...]:
    """Every address the name has (all must be safe: a receiver may pick any of them)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeDestination(f"The host {host} cannot be resolved ({exc}).") from None
    addresses = tuple(dict.fromkeys(info[4][0].split("%")[0] for info in infos))
    if not addresses:
        raise UnsafeDestination(f"The host {host} has no address.")
    return addresses


def refusal_reason(address: IPAddress) -> str:
    """Why an address is refused ("" when it is a public one)."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour or (address.teredo[1] if address.teredo else None)
        if embedded is not None:
            inner = refusal_reason(embedded)
            return f"an IPv6 address embedding {embedded}, {inner}" if inner else ""
    for name, reason in CHECKS:
        if getattr(address, name):
            return reason
    if not address.is_global:
        return "a non-public address"
    return ""


#: Checked in this order, so that the message names the most specific class.
CHECKS = (
    ("is_unspecified", "an unspecified address"),
    ("is_loopback", "a loopback address"),
    ("is_link_local", "a link-local address"),
    ("is_multicast", "a multicast address"),
    ("is_reserved", "a reserved address"),
    ("is_private", "a private address"),
)


def allowed_hosts() -> frozenset[str]:
    return frozenset(host.lower() for host in settings.WEBHOOK_ALLOWED_HOSTS)
