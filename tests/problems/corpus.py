"""Generated help-desk text with planted recurring faults, for clustering tests and the benchmark.

Background incidents are what a desk sees every day: many services, each with its own
components, described with generic complaints ("not working", "error", "very slow",
"cannot access"), chatty context ("since this morning", "my manager needs this"), names,
machine names, ticket and order numbers. Planted clusters are one recurring fault each: a
component, a specific failure phrased several ways (synonyms, word order, with or without an
error code), typos, and the same chatty context as the background. A planted cluster's
incidents use words the background uses too; what sets them apart is the combination.
"""

import random
from dataclasses import dataclass

SERVICES: dict[str, list[str]] = {
    "Email": [
        "outlook",
        "mailbox",
        "calendar",
        "attachment",
        "signature",
        "distribution list",
        "meeting invite",
    ],
    "VPN": ["anyconnect", "tunnel", "token", "split tunnel", "gateway", "client certificate"],
    "Payroll": ["payslip", "salary", "export", "tax form", "overtime", "bank file"],
    "SAP ERP": ["purchase order", "invoice", "goods receipt", "vendor master", "cost centre", "fiori"],
    "CRM": ["opportunity", "lead", "contact record", "pipeline report", "quote", "dashboard"],
    "HR portal": ["leave request", "timesheet", "org chart", "onboarding form", "expense claim"],
    "Printing": ["printer", "toner", "print queue", "scanner", "badge release", "duplex"],
    "Wi-Fi": ["wireless", "access point", "guest network", "eduroam", "captive portal"],
    "Teams": ["teams call", "chat", "channel", "screen share", "headset", "meeting recording"],
    "SharePoint": ["document library", "site", "permissions", "version history", "sync client"],
    "OneDrive": ["onedrive", "file sync", "shared folder", "storage quota", "restore"],
    "Citrix": ["citrix", "virtual desktop", "receiver", "published app", "session"],
    "Laptops": ["laptop", "docking station", "battery", "keyboard", "bitlocker", "bios"],
    "Mobile": ["iphone", "android", "intune", "company portal", "mobile mail", "authenticator"],
    "Identity": ["password", "account", "mfa", "sso", "active directory", "lockout"],
    "Intranet": ["intranet", "news page", "search", "canteen menu", "room booking"],
    "Jira": ["jira", "board", "sprint", "ticket", "workflow", "filter"],
    "Git": ["gitlab", "merge request", "pipeline", "runner", "repository", "ssh key"],
    "Data warehouse": ["report", "etl job", "tableau", "data refresh", "query"],
    "Telephony": ["desk phone", "voicemail", "call forwarding", "softphone", "hunt group"],
    "Facilities": ["badge", "door reader", "meeting room", "projector", "screen"],
    "Backup": ["backup", "restore job", "snapshot", "archive", "retention"],
    "Web shop": ["checkout", "basket", "payment page", "product page", "order confirmation"],
    "Warehouse": ["scanner gun", "label printer", "picking list", "stock count", "shipment"],
}

GENERIC = [
    "{c} not working",
    "{c} not working properly",
    "problem with {c}",
    "issue with the {c}",
    "{c} error",
    "error in {c}",
    "{c} is very slow",
    "cannot access {c}",
    "need help with {c}",
    "question about {c}",
    "{c} does not open",
    "{c} broken",
    "{s}: {c} not working",
    "{s} {c} problem",
    "{c} stopped working",
    "{c} gives an error",
    "access to {c} needed",
    "{c} request",
    "{c} not available",
    "strange behaviour of {c}",
    "{c} - please check",
    "{c} keeps failing",
]
CONTEXT = [
    "since this morning",
    "since yesterday",
    "after the weekend",
    "from home",
    "in the office",
    "on my laptop",
    "for the whole team",
    "for a colleague",
    "please help",
    "urgent",
    "my manager needs this today",
    "tried restarting already",
    "happens now and then",
    "not sure who to ask",
    "see screenshot",
    "worked last week",
    "on the second floor",
    "before the deadline",
    "customer is waiting",
    "thanks in advance",
]
SENTENCES = [
    "I tried again after lunch and it is the same.",
    "My colleague {name} has the same thing on {host}.",
    "Ticket {ref} was closed but the issue is back.",
    "Please call me on extension {ext}.",
    "I already restarted the computer twice.",
    "It worked fine on Friday.",
    "This is blocking my work for the customer meeting.",
    "Can someone have a look today?",
    "The message says something went wrong, please try again later.",
    "Machine {host}, user {name}.",
    "I am working from the {site} office this week.",
    "Order {ref} is affected.",
    "Not sure if this is the right category.",
    "Nothing changed on my side as far as I know.",
    "I get a generic error and nothing else.",
    "It is not working at all.",
]
NAMES = [
    "anna",
    "ben",
    "carla",
    "david",
    "eva",
    "farid",
    "greta",
    "hugo",
    "ines",
    "jonas",
    "kim",
    "lena",
    "marco",
    "nora",
    "oskar",
    "paula",
    "rui",
    "sara",
    "tom",
    "ula",
]
#: Services in a generated window (the vocabularies above repeat, as sister services share words).
SERVICE_COUNT = 60
SITES = ["berlin", "lisbon", "madrid", "paris", "vienna", "warsaw", "dublin", "oslo"]

#: Specific failures: each a few ways of saying the same thing ({c} component, {x} detail).
FAILURES = [
    [
        "{c} crashes when {x}",
        "{c} closes unexpectedly while {x}",
        "crash of {c} on {x}",
        "{x} makes {c} crash",
    ],
    ["{c} sync fails with conflict on {x}", "{c} sync conflict when {x}", "sync conflict in {c} after {x}"],
    [
        "certificate expired warning in {c} for {x}",
        "{c} shows expired certificate on {x}",
        "expired certificate error {c} {x}",
    ],
    ["{c} times out during {x}", "timeout in {c} when {x}", "{x} in {c} runs into a timeout"],
    [
        "duplicate entries in {c} after {x}",
        "{c} shows duplicates since {x}",
        "{x} creates duplicate {c} entries",
    ],
    ["{c} login loop after {x}", "endless login loop {c} {x}", "{c} keeps redirecting to login on {x}"],
    ["{c} freezes on {x}", "{c} hangs while {x}", "frozen {c} during {x}"],
    ["{c} rejects {x} with access denied", "access denied in {c} for {x}", "{x}: {c} says access denied"],
]
DETAILS = [
    "saving drafts",
    "opening attachments",
    "monthly export",
    "uploading files",
    "printing labels",
    "approving invoices",
    "the nightly batch",
    "password change",
    "windows update",
    "large spreadsheets",
    "shared calendars",
    "pdf preview",
    "bulk import",
    "barcode scanning",
    "the new release",
    "month end close",
]


@dataclass(frozen=True)
class Row:
    """One generated incident: id, scope, text; `cluster` is the planted cluster or None."""

    id: int
    service_id: int | None
    ci_id: int | None
    title: str
    description: str
    cluster: int | None
    hours_ago: float


def service_names() -> list[str]:
    return list(SERVICES)


def typo(word: str, rng: random.Random) -> str:
    """Swap, drop or double one letter: the mistakes people make typing fast."""
    if len(word) < 5:
        return word
    at = rng.randrange(1, len(word) - 2)
    kind = rng.randrange(3)
    if kind == 0:
        return word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    if kind == 1:
        return word[:at] + word[at + 1 :]
    return word[:at] + word[at] + word[at:]


def with_typos(text: str, rng: random.Random, rate: float) -> str:
    return " ".join(typo(w, rng) if rng.random() < rate else w for w in text.split(" "))


def _description(rng: random.Random, extra: str = "") -> str:
    sentences = [
        s.format(
            name=rng.choice(NAMES),
            host=f"pc{rng.randrange(10000, 99999)}",
            ref=f"INC{rng.randrange(100000, 999999)}",
            ext=rng.randrange(1000, 9999),
            site=rng.choice(SITES),
        )
        for s in rng.sample(SENTENCES, rng.randint(1, 3))
    ]
    if extra:
        sentences.insert(rng.randrange(len(sentences) + 1), extra)
    return " ".join(sentences)


def background(rng: random.Random, item_id: int, services: list[int], weights: list[float]) -> Row:
    """An everyday incident: a component of its service, a generic complaint, context."""
    index = rng.choices(range(len(services)), weights)[0]
    name = list(SERVICES)[index % len(SERVICES)]
    component = rng.choice(SERVICES[name])
    title = rng.choice(GENERIC).format(c=component, s=name)
    if rng.random() < 0.6:
        title += f" {rng.choice(CONTEXT)}"
    return Row(
        item_id,
        services[index],
        None,
        with_typos(title, rng, 0.03),
        _description(rng),
        None,
        rng.uniform(0, 24 * 14),
    )


@dataclass(frozen=True)
class Fault:
    service_index: int
    component: str
    failure: list[str]
    detail: str
    code: str


def plant_fault(rng: random.Random, service_count: int) -> Fault:
    index = rng.randrange(service_count)
    name = list(SERVICES)[index % len(SERVICES)]
    code = f"0x{rng.randrange(0x80000000, 0x8FFFFFFF):08X}" if rng.random() < 0.5 else ""
    return Fault(index, rng.choice(SERVICES[name]), rng.choice(FAILURES), rng.choice(DETAILS), code)


def faulty(
    rng: random.Random, item_id: int, fault: Fault, services: list[int], cluster: int, start: float
) -> Row:
    """One report of a planted fault: a paraphrase, sometimes the error code, typos, chatter."""
    title = rng.choice(fault.failure).format(c=fault.component, x=fault.detail)
    if rng.random() < 0.4:
        title += f" {rng.choice(CONTEXT)}"
    extra = f"Error code {fault.code}." if fault.code and rng.random() < 0.6 else ""
    return Row(
        item_id,
        services[fault.service_index],
        None,
        with_typos(title, rng, 0.08),
        _description(rng, extra),
        cluster,
        max(0.0, start - rng.uniform(0, 72)),
    )


def _keys(fault: Fault) -> set[tuple]:
    return {(fault.service_index, fault.detail), (fault.service_index, fault.component, fault.failure[0])}


def generate(count: int, clusters: int, *, seed: int = 11, services: list[int] | None = None) -> list[Row]:
    """`count` incidents in a 14-day window: `clusters` planted faults of 5–30 reports among background."""
    rng = random.Random(seed)
    services = services or list(range(1, SERVICE_COUNT + 1))
    if clusters > len(services) * len(DETAILS):
        raise ValueError("More planted faults than distinct (service, detail) pairs: add services.")
    weights = [1 / rank**0.8 for rank in range(1, len(services) + 1)]
    rows: list[Row] = []
    seen: set[tuple] = set()
    for cluster in range(clusters):
        fault = plant_fault(rng, len(services))
        # Two faults of a service differ in their detail, and in their failure if on one component.
        while (keys := _keys(fault)) & seen:
            fault = plant_fault(rng, len(services))
        seen |= keys
        start = rng.uniform(72, 24 * 14)
        for _ in range(rng.randint(5, 30)):
            rows.append(faulty(rng, len(rows) + 1, fault, services, cluster, start))
    while len(rows) < count:
        rows.append(background(rng, len(rows) + 1, services, weights))
    rng.shuffle(rows)
    return rows
