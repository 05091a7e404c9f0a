#!/usr/bin/env python3
"""A monitoring integration for the ITSM API, in plain Python with `requests`.

It does three things a monitoring tool (Zabbix, Prometheus Alertmanager, Nagios…) needs:

1. `open_incident` opens an incident for an alert **idempotently**: the `Idempotency-Key` is
   derived from the alert id, so re-sending the same alert (a retry, a flapping check, a second
   monitoring node) returns the incident already opened instead of a duplicate.
2. `follow_until_resolved` polls `GET /api/v1/incidents/?updated_after=...`, following the
   cursor pages, and remembers the newest `updated_at` it saw (a sync loop: cheap, nothing lost).
3. `WebhookReceiver` is a small HTTP server that receives the platform's webhooks and verifies
   their signature (`X-ITSM-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`,
   `X-ITSM-Timestamp`), refusing forged, altered or replayed deliveries with 401.

Usage:

    export ITSM_URL=http://127.0.0.1:8000 ITSM_TOKEN=itsm_...   # a token with incident write scope
    python examples/monitoring_integration.py open --alert-id zbx-4711 --title "web01: disk full"
    python examples/monitoring_integration.py follow --incident 42
    python examples/monitoring_integration.py receive --port 8900 --secret "$WEBHOOK_SECRET"

The module is standalone: the application never imports it.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

#: Severity words monitoring tools use, mapped to the platform's impact and urgency (1 = high).
SEVERITY = {
    "disaster": (1, 1),
    "critical": (1, 1),
    "high": (2, 1),
    "warning": (2, 2),
    "average": (2, 2),
    "info": (3, 3),
}
FINISHED = {"resolved", "closed", "cancelled"}
#: A signed delivery older (or newer) than this is refused, so a captured one cannot be replayed.
SIGNATURE_TOLERANCE_SECONDS = 300


class ApiError(RuntimeError):
    """The API answered with an error; `code` is its machine-readable code."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message = status, code, message


def client(token: str) -> requests.Session:
    session = requests.Session()
    session.headers.update({"Authorization": f"Token {token}", "Accept": "application/json"})
    return session


def _checked(response: requests.Response) -> dict:
    if response.status_code >= 400:
        try:
            error = response.json()["error"]
        except (ValueError, KeyError, TypeError):
            error = {"code": "http_error", "message": response.text[:200]}
        raise ApiError(response.status_code, error.get("code", "error"), error.get("message", ""))
    return response.json()


def idempotency_key(alert_id: str) -> str:
    """The same alert always gives the same key (and no alert text leaks into it)."""
    return "alert-" + hashlib.sha256(alert_id.encode()).hexdigest()[:40]


def open_incident(
    session: requests.Session,
    base_url: str,
    *,
    alert_id: str,
    title: str,
    description: str = "",
    severity: str = "warning",
    service: int | None = None,
    timeout: float = 10,
) -> dict:
    """Open (or find again) the incident for `alert_id`; returns the incident as the API shows it."""
    impact, urgency = SEVERITY.get(severity.lower(), SEVERITY["warning"])
    body = {
        "title": title[:250],
        "description": f"{description}\n\nMonitoring alert: {alert_id}".strip(),
        "impact": impact,
        "urgency": urgency,
        "contact_type": "monitoring",
    }
    if service is not None:
        body["service"] = service
    response = session.post(
        f"{base_url}/api/v1/incidents/",
        json=body,
        headers={"Idempotency-Key": idempotency_key(alert_id)},
        timeout=timeout,
    )
    return _checked(response)


def changed_incidents(
    session: requests.Session, base_url: str, since: str, *, page_size: int = 100, timeout: float = 10
) -> Iterator[dict]:
    """Every incident you may see updated at or after `since` (ISO 8601), following the cursors."""
    url = f"{base_url}/api/v1/incidents/"
    params: dict | None = {"updated_after": since, "ordering": "updated_at", "page_size": page_size}
    while url:
        page = _checked(session.get(url, params=params, timeout=timeout))
        yield from page["results"]
        url, params = page.get("next"), None  # `next` already carries every parameter


def follow_until_resolved(
    session: requests.Session,
    base_url: str,
    incident_id: int,
    *,
    since: str | None = None,
    poll_seconds: float = 30,
    give_up_after: float = 24 * 3600,
    on_change: Callable[[dict], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> dict:
    """Poll with `updated_after` until the incident is resolved, closed or cancelled; return it."""
    cursor = datetime.fromisoformat(since) if since else datetime.now(UTC)
    deadline = time.monotonic() + give_up_after
    while True:
        for incident in changed_incidents(session, base_url, cursor.isoformat()):
            # `updated_after` is inclusive: the newest change seen is asked for again, never missed.
            cursor = max(cursor, datetime.fromisoformat(incident["updated_at"]))
            if incident["id"] != incident_id:
                continue
            if on_change:
                on_change(incident)
            if incident["state_category"] in FINISHED:
                return incident
        if time.monotonic() >= deadline:
            raise TimeoutError(f"incident {incident_id} was not resolved in time")
        sleep(poll_seconds)


# --- webhooks --------------------------------------------------------------------------------


def verify_signature(
    secret: str, timestamp: str, body: bytes, signature: str, *, now: float | None = None
) -> bool:
    """True when `signature` is `sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">` under `secret`
    and the timestamp is within `SIGNATURE_TOLERANCE_SECONDS` of now."""
    if not timestamp.isdigit() or not signature.startswith("sha256="):
        return False
    current = time.time() if now is None else now
    if abs(current - int(timestamp)) > SIGNATURE_TOLERANCE_SECONDS:
        return False
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature.removeprefix("sha256="))


class WebhookReceiver:
    """An HTTP server on `host:port` that accepts only correctly signed deliveries.

    Verified events are appended to `events` (and passed to `on_event`); a delivery id seen
    before is acknowledged again but not handled twice (delivery is at least once).
    """

    def __init__(self, secret: str, host: str = "127.0.0.1", port: int = 0, on_event=None):
        self.secret, self.on_event = secret, on_event
        self.events: list[dict] = []
        self.rejected = 0
        self._seen: set[str] = set()
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer((host, port), self._handler())
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/"

    def _handler(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (the http.server naming)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(min(length, 1_000_000))
                ok = verify_signature(
                    receiver.secret,
                    self.headers.get("X-ITSM-Timestamp", ""),
                    body,
                    self.headers.get("X-ITSM-Signature", ""),
                )
                if not ok:
                    with receiver._lock:
                        receiver.rejected += 1
                    self._answer(401, b'{"error": "bad signature"}')
                    return
                receiver._accept(self.headers.get("X-ITSM-Delivery", ""), json.loads(body))
                self._answer(204, b"")

            def _answer(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format, *args):  # noqa: A002 (quiet: the caller decides what to log)
                pass

        return Handler

    def _accept(self, delivery: str, event: dict) -> None:
        with self._lock:
            if delivery and delivery in self._seen:
                return
            self._seen.add(delivery)
            self.events.append(event)
        if self.on_event:
            self.on_event(event)

    def start(self) -> WebhookReceiver:
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# --- command line ----------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=os.environ.get("ITSM_URL", "http://127.0.0.1:8000"))
    commands = parser.add_subparsers(dest="command", required=True)
    opening = commands.add_parser("open", help="open (or find again) the incident of an alert")
    opening.add_argument("--alert-id", required=True)
    opening.add_argument("--title", required=True)
    opening.add_argument("--description", default="")
    opening.add_argument("--severity", default="warning", choices=sorted(SEVERITY))
    opening.add_argument("--service", type=int)
    following = commands.add_parser("follow", help="poll until the incident is resolved")
    following.add_argument("--incident", type=int, required=True)
    following.add_argument("--poll", type=float, default=30)
    receiving = commands.add_parser("receive", help="receive and verify webhooks")
    receiving.add_argument("--port", type=int, default=8900)
    receiving.add_argument("--secret", default=os.environ.get("ITSM_WEBHOOK_SECRET", ""))
    args = parser.parse_args(argv)
    base_url = args.url.rstrip("/")

    if args.command == "receive":
        if not args.secret:
            parser.error("--secret (or ITSM_WEBHOOK_SECRET) is required")
        receiver = WebhookReceiver(args.secret, port=args.port, on_event=lambda e: print(json.dumps(e)))
        print(f"Listening on {receiver.url}", file=sys.stderr)
        try:
            receiver.server.serve_forever()
        except KeyboardInterrupt:
            receiver.server.server_close()
        return 0

    token = os.environ.get("ITSM_TOKEN")
    if not token:
        parser.error("set ITSM_TOKEN to an API token")
    session = client(token)
    if args.command == "open":
        incident = open_incident(
            session,
            base_url,
            alert_id=args.alert_id,
            title=args.title,
            description=args.description,
            severity=args.severity,
            service=args.service,
        )
        print(json.dumps({"id": incident["id"], "number": incident["number"], "state": incident["state"]}))
        return 0
    incident = follow_until_resolved(
        session,
        base_url,
        args.incident,
        since="1970-01-01T00:00:00+00:00",
        poll_seconds=args.poll,
        on_change=lambda i: print(f"{i['number']}: {i['state']}", file=sys.stderr),
    )
    print(json.dumps({"id": incident["id"], "state": incident["state"]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
