"""Benchmark of the e-mail channel: ingest a maildir of 10,000 messages into incidents (PostgreSQL).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/itsm_bench_mail \\
        .venv/bin/python -m tests.bench.bench_mail [--messages 10000] [--senders 500]

(Re)creates the database named in DATABASE_URL, migrates it, adds a mailbox and `--senders`
requester accounts, then writes a maildir under var/bench-mail/ with a realistic mix —
new mail (plain, multipart/alternative, HTML-only, some with a small attachment), replies
that thread by In-Reply-To to earlier messages, out-of-office replies and bounces, and a
few duplicate deliveries — and feeds every message through `ingest_message`, the service
the IMAP poller and the MTA pipe call. The whole write path runs: parsing, safety checks,
threading, incident creation (numbering, routing, timeline, SLA clocks, outbox rows),
attachments on disk. The Celery broker is in memory, so no mail is sent; as no worker
consumes it, its queue is emptied after each block (else the queued delivery tasks would be
the only thing growing).

Prints messages per second per block of 1,000 and the process's resident memory (RSS) and
Python heap (tracemalloc, when `--tracemalloc`) after each block, to show memory stays
flat; then one 20 MB message with three attachments (time, peak Python memory) and one over
the size limit. It prints figures and asserts nothing (pytest does not collect it).
"""

import argparse
import mailbox as maildir_lib
import os
import random
import shutil
import sys
import time
import tracemalloc
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[2]
WORK = ROOT / "var" / "bench-mail"
PROBLEMS = [
    "Outlook keeps asking for my password",
    "VPN disconnects every hour",
    "Printer on floor 3 jams",
    "Cannot open the payroll report",
    "Laptop fan is very loud",
    "Teams calls drop after five minutes",
    "Shared drive is read-only since this morning",
    "Badge does not open the car park gate",
]


def main() -> None:
    options = _options()
    _prepare_database()
    _setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    mailbox, addresses = _fixtures(options.senders)
    folder = _write_maildir(options.messages, addresses, random.Random(5))
    _ingest(folder, mailbox, options)
    _large_messages(mailbox, addresses[0])


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--senders", type=int, default=500)
    parser.add_argument("--tracemalloc", action="store_true", help="also trace the Python heap (slower)")
    return parser.parse_args()


def _prepare_database() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("The mail benchmark needs PostgreSQL: DATABASE_URL=postgres://.../itsm_bench_mail")
    import psycopg2

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = psycopg2.connect(
        host=parsed.hostname,
        port=parsed.port or 5432,
        user=parsed.username,
        password=parsed.password,
        dbname="postgres",
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "itsm.settings")
    os.environ["CELERY_BROKER_URL"] = "memory://localhost/"
    os.environ["MEDIA_ROOT"] = str(WORK / "media")
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("MAIL_RATE_LIMIT", "1000000")  # the bench's senders write a lot
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _fixtures(senders: int):
    from django.contrib.auth.models import Group, User

    from itsm.mail.models import Mailbox

    group, _ = Group.objects.get_or_create(name="requester")
    users = User.objects.bulk_create(
        User(username=f"sender{n}", email=f"sender{n}@example.org", first_name=f"Sender {n}")
        for n in range(senders)
    )
    group.user_set.add(*users)
    box = Mailbox.objects.create(name="servicedesk", address="servicedesk@example.com")
    return box, [user.email for user in users]


def _write_maildir(count: int, addresses: list[str], rng: random.Random) -> Path:
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    folder = WORK / "maildir"
    box = maildir_lib.Maildir(folder, create=True)
    sent: list[tuple[str, str]] = []  # (Message-ID, sender) of mail that raised or joined an incident
    started = time.perf_counter()
    for n in range(count):
        raw, message_id, sender = _message(n, rng, addresses, sent)
        box.add(raw)
        if message_id:
            sent.append((message_id, sender))
    print(f"maildir: {count:,} messages written in {time.perf_counter() - started:.1f} s ({folder})")
    return folder


def _message(n: int, rng: random.Random, addresses: list[str], sent: list[tuple[str, str]]):
    """(raw bytes, its Message-ID when later mail may answer it, sender)."""
    roll, sender = rng.random(), rng.choice(addresses)
    if roll < 0.01 and sent:  # a duplicate delivery
        message_id, sender = rng.choice(sent)
        return _mail(sender, "Duplicate", "Same again.", message_id=message_id), None, sender
    if roll < 0.04:
        return _mail(sender, "Automatic reply: away", "I am out.", auto=True), None, sender
    message_id = make_msgid(idstring=str(n), domain="client.example.org")
    if roll < 0.30 and sent:  # the original sender answers in the thread
        parent, sender = rng.choice(sent[-500:])
        body = "Still happening after the restart.\n\nOn Monday, Desk wrote:\n> What did you try?\n"
        raw = _mail(sender, "Re: your incident", body, message_id=message_id, reply_to=parent)
        return raw, message_id, sender
    problem = rng.choice(PROBLEMS)
    body = f"Hello,\n\n{problem}. It started {rng.randint(1, 9)} days ago.\n\nThanks\n" * rng.randint(1, 4)
    html = f"<p>{problem}</p><p>Screen shows <b>error {rng.randint(100, 999)}</b></p>"
    kind = rng.random()
    raw = _mail(
        sender,
        problem,
        None if kind < 0.15 else body,
        html=html if kind < 0.45 else None,
        message_id=message_id,
        attachment=rng.randbytes(rng.randint(2_000, 60_000)) if kind > 0.85 else None,
    )
    return raw, message_id, sender


def _mail(
    sender, subject, text, *, html=None, message_id=None, reply_to=None, auto=False, attachment=None
) -> bytes:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, "servicedesk@example.com", subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = message_id or make_msgid(domain="client.example.org")
    if reply_to:
        message["In-Reply-To"] = message["References"] = reply_to
    if auto:
        message["Auto-Submitted"] = "auto-replied"
    if text is not None:
        message.set_content(text)
    if html is not None and text is not None:
        message.add_alternative(html, subtype="html")
    elif html is not None:
        message.set_content(html, subtype="html")
    if attachment is not None:
        message.add_attachment(attachment, maintype="application", subtype="pdf", filename="report.pdf")
    return message.as_bytes()


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _ingest(folder: Path, mailbox, options) -> None:
    from django.db import reset_queries

    from itsm.celery import app
    from itsm.mail.models import InboundMessage
    from itsm.mail.services import ingest_message

    box = maildir_lib.Maildir(folder, create=False)
    keys = sorted(box.keys())
    if options.tracemalloc:
        tracemalloc.start()
    print(f"{'block':>12} {'msg/s':>8} {'RSS MiB':>8} {'heap MiB':>9}")
    started = block_start = time.perf_counter()
    statuses: dict[str, int] = {}
    for index, key in enumerate(keys, start=1):
        record = ingest_message(box.get_bytes(key), mailbox=mailbox)
        statuses[record.status] = statuses.get(record.status, 0) + 1
        reset_queries()
        if index % 1000 == 0 or index == len(keys):
            now = time.perf_counter()
            size = 1000 if index % 1000 == 0 else index % 1000
            heap = tracemalloc.get_traced_memory()[0] / 2**20 if options.tracemalloc else float("nan")
            print(
                f"{index - size + 1:>5}-{index:<6} {size / (now - block_start):>8.1f} "
                f"{_rss_mib():>8.1f} {heap:>9.1f}"
            )
            app.control.purge()  # no worker consumes the in-memory broker: empty it per block
            block_start = now
            if options.tracemalloc and index == 1000:
                first_snapshot = tracemalloc.take_snapshot()
    elapsed = time.perf_counter() - started
    if options.tracemalloc:
        if len(keys) > 1000:
            _print_growth(first_snapshot, tracemalloc.take_snapshot())
        tracemalloc.stop()
    print(f"total: {len(keys):,} messages in {elapsed:.1f} s = {len(keys) / elapsed:.1f} messages/s")
    print("outcomes:", ", ".join(f"{k} {v:,}" for k, v in sorted(statuses.items())))
    threaded = InboundMessage.objects.filter(outcome="replied").count()
    print(f"replies that joined an existing incident: {threaded:,}")


def _print_growth(before, after) -> None:
    """Where the Python heap grew between the first block and the end (top 8 lines)."""
    print("heap growth after the first block, by allocation site:")
    for stat in after.compare_to(before, "lineno")[:8]:
        print(f"  {stat.size_diff / 1024:+9.0f} KiB  {stat.traceback}")


def _large_messages(mailbox, sender: str) -> None:
    from django.conf import settings

    from itsm.core.models import Attachment
    from itsm.mail.services import ingest_message

    rng = random.Random(9)
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, mailbox.address, "Logs and screenshots"
    message["Message-ID"] = make_msgid(domain="client.example.org")
    message.set_content("The crash logs and a screen recording are attached.")
    for name, subtype, size in (
        ("dump.zip", "zip", 8_000_000),
        ("trace.pdf", "pdf", 6_000_000),
        ("screen.png", "png", 5_500_000),
    ):
        maintype = "image" if subtype == "png" else "application"
        message.add_attachment(rng.randbytes(size), maintype=maintype, subtype=subtype, filename=name)
    raw = message.as_bytes()
    tracemalloc.start()
    started = time.perf_counter()
    record = ingest_message(raw, mailbox=mailbox)
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    stored = Attachment.objects.filter(task_id=record.task_id).values_list("filename", "size")
    print(
        f"20 MB message: {len(raw) / 2**20:.1f} MiB raw, {record.status} in {elapsed:.2f} s, "
        f"peak Python memory {peak / 2**20:.0f} MiB ({peak / len(raw):.1f}x the message); attachments: "
        + ", ".join(f"{name} {size / 2**20:.1f} MiB" for name, size in stored)
    )
    too_big = b"x" * (settings.MAIL_MAX_MESSAGE_BYTES + 1)
    started = time.perf_counter()
    record = ingest_message(b"From: a@example.org\r\nSubject: huge\r\n\r\n" + too_big, mailbox=mailbox)
    print(
        f"message over MAIL_MAX_MESSAGE_BYTES ({settings.MAIL_MAX_MESSAGE_BYTES / 2**20:.0f} MiB): "
        f"{record.status} ({record.reason}) in {time.perf_counter() - started:.2f} s"
    )


if __name__ == "__main__":
    main()
