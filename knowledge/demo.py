"""Demo knowledge: two bases, categories and a dozen realistic articles, written and reviewed
through the services like real ones (one left in review, one retired). Idempotent."""

from django.contrib.auth import get_user_model

from itsm.cmdb.models import Service
from knowledge import services
from knowledge.choices import Audience
from knowledge.models import Article, Category, KnowledgeBase

BASES = {
    ("End-user help", "help", False, "How-to guides for everyone."): [
        ("Network and VPN", "network"),
        ("Accounts and passwords", "accounts"),
        ("E-mail and calendar", "email"),
        ("Printing", "printing"),
        ("Devices", "devices"),
    ],
    ("IT internal", "it-internal", True, "Procedures and known errors for the service desk."): [
        ("Service desk procedures", "procedures"),
        ("Known errors", "known-errors"),
    ],
}

#: (base slug, category slug, title, summary, body, tags, service name, audience, fate)
ARTICLES = [
    (
        "help",
        "network",
        "Connect to the VPN from home",
        "Install the VPN client, sign in with your company account and approve the MFA prompt.",
        "## Before you start\n\nYou need your company account and the authenticator app on your phone.\n\n"
        "## Steps\n\n1. Open **Company VPN** from the Start menu (or Launchpad on a Mac).\n"
        "2. Enter `vpn.example.com` as the server if asked.\n"
        "3. Sign in with your company e-mail and password.\n"
        "4. Approve the prompt in the authenticator app.\n\n"
        "The shield icon turns green when you are connected.",
        ["vpn", "remote work"],
        "VPN & remote access",
        Audience.EVERYONE,
        "published",
    ),
    (
        "help",
        "network",
        "VPN disconnects every few minutes",
        "Switch the VPN protocol to TCP and turn off Wi-Fi power saving.",
        "If the VPN drops every few minutes, your Wi-Fi adapter is usually saving power.\n\n"
        "1. Open the VPN client settings and choose **Protocol: TCP**.\n"
        "2. In Windows, open *Device Manager → Network adapters → Wi-Fi → Power management* and untick "
        "**Allow the computer to turn off this device**.\n3. Reconnect.\n\n"
        "| Symptom | Fix |\n|---|---|\n| Drops every 5 min | Power saving off |\n"
        "| Drops on hotel Wi-Fi | Use TCP |",
        ["vpn", "wifi"],
        "VPN & remote access",
        Audience.EVERYONE,
        "published",
    ),
    (
        "help",
        "accounts",
        "Reset your password",
        "Use the self-service reset page; you need your phone for the verification code.",
        "## Forgotten password\n\n1. Go to the sign-in page and choose **Forgot password**.\n"
        "2. Enter your e-mail address and the code sent to your phone.\n3. Choose a new password: at least "
        "12 characters, not one of your last five.\n\n## Password expired\n\nSign in once with the old "
        "password; you are asked for a new one straight away.",
        ["password", "account"],
        None,
        Audience.EVERYONE,
        "published",
    ),
    (
        "help",
        "accounts",
        "Unlock a locked account",
        "Accounts unlock by themselves after 15 minutes; the reset page unlocks at once.",
        "After five wrong passwords your account is locked for 15 minutes.\n\n"
        "- Wait 15 minutes and try again, **or**\n- reset your password (see *Reset your password*), which "
        "unlocks it at once.\n\nIf it locks again straight away, an old password is saved on your phone: "
        "update the mail account there.",
        ["password", "locked"],
        None,
        Audience.EVERYONE,
        "published",
    ),
    (
        "help",
        "email",
        "Set up company e-mail on your phone",
        "Add an Exchange account with your company address; approve the device in the MDM prompt.",
        "## iPhone\n\n1. *Settings → Mail → Accounts → Add account → Microsoft Exchange*.\n"
        "2. Enter your company address and choose **Sign in**.\n3. Accept the device management prompt.\n\n"
        "## Android\n\nInstall **Outlook** from the Play Store and sign in with your company address.",
        ["email", "phone", "mobile"],
        "E-mail",
        Audience.EVERYONE,
        "published",
    ),
    (
        "help",
        "email",
        "Outlook keeps asking for your password",
        "Remove the stored credentials and sign in again.",
        "1. Close Outlook.\n2. Open *Credential Manager → Windows Credentials* and remove entries that start "
        "with `MicrosoftOffice`.\n3. Start Outlook and sign in once.\n\nStill asking? Check that your "
        "password has not expired.",
        ["email", "outlook", "password"],
        "E-mail",
        Audience.EVERYONE,
        "published",
    ),
    (
        "help",
        "printing",
        "Add a network printer",
        "Printers are named after their floor; add them from Settings → Printers.",
        "1. Open *Settings → Bluetooth & devices → Printers & scanners*.\n2. Choose **Add device** and pick "
        "the printer named after your floor, e.g. `PRN-FLOOR3`.\n3. Print a test page.",
        ["printer"],
        None,
        Audience.EVERYONE,
        "published",
    ),
    (
        "help",
        "printing",
        "Printer paper jam in tray 2",
        "Open door B, remove the sheet, and fan the paper before reloading.",
        "Paper jams in tray 2 usually come from damp or stuck-together sheets.\n\n1. Open door **B** on the "
        "right.\n2. Pull the jammed sheet out slowly with both hands.\n3. Fan the stack of paper and reload "
        "tray 2.\n\nIf every second page jams, report it: the roller may need replacing.",
        ["printer", "jam"],
        None,
        Audience.EVERYONE,
        "published",
    ),
    (
        "help",
        "devices",
        "Request a new laptop",
        "Order through the service catalog; standard models ship within five working days.",
        "Open the portal, choose **Request something → Laptop**, pick a model and say why. Your manager "
        "approves the request, then IT prepares the laptop.",
        ["laptop", "hardware"],
        None,
        Audience.EVERYONE,
        "published",
    ),
    (
        "it-internal",
        "procedures",
        "Handling a major incident: first 15 minutes",
        "Open the major incident, page the on-call manager, post a status banner.",
        "1. Propose the incident as **major** on its page.\n2. Call the on-call incident manager.\n"
        "3. Once accepted, the portal shows a banner for the affected service.\n4. Post updates every 30 "
        "minutes.",
        ["major incident", "procedure"],
        None,
        Audience.AGENTS,
        "published",
    ),
    (
        "it-internal",
        "known-errors",
        "ERP payslips show the previous month",
        "Known error: the payroll cache is not refreshed after month end; clear it in the admin console.",
        "## Cause\n\nThe nightly job that refreshes the payroll cache skips the first day of the month.\n\n"
        "## Workaround\n\nIn the ERP admin console run *Payroll → Refresh cache*. Takes two minutes.",
        ["erp", "payroll"],
        "ERP & Payroll",
        Audience.AGENTS,
        "in_review",
    ),
    (
        "help",
        "network",
        "Dial-in modem access (retired)",
        "The modem pool was switched off; use the VPN instead.",
        "The dial-in modem pool was switched off. Use the VPN (see *Connect to the VPN from home*).",
        ["modem"],
        None,
        Audience.EVERYONE,
        "retired",
    ),
]


def seed_demo_data() -> None:
    users = {
        u.username: u for u in get_user_model().objects.filter(username__in=["agent", "knowledgemanager"])
    }
    author, reviewer = users.get("agent"), users.get("knowledgemanager")
    if author is None or reviewer is None or Article.objects.filter(title=ARTICLES[0][2]).exists():
        return
    categories = _seed_bases()
    for base_slug, category_slug, title, summary, body, tags, service, audience, fate in ARTICLES:
        article = services.create_article(
            actor=author,
            base=categories[(base_slug, category_slug)].base,
            category=categories[(base_slug, category_slug)],
            title=title,
            summary=summary,
            body=body,
            audience=audience,
            tags=tags,
            services=list(Service.objects.filter(name=service)) if service else [],
        )
        article = services.move_article(article, "submit", actor=author)
        if fate in ("published", "retired"):
            article = services.move_article(article, "approve", actor=reviewer, comment="Clear and correct.")
        if fate == "retired":
            services.move_article(article, "retire", actor=reviewer, comment="The modem pool is gone.")


def _seed_bases() -> dict[tuple[str, str], Category]:
    found = {}
    for order, ((name, slug, internal, description), shelves) in enumerate(BASES.items()):
        base, _ = KnowledgeBase.objects.get_or_create(
            slug=slug,
            defaults={"name": name, "is_internal": internal, "description": description, "order": order},
        )
        for position, (shelf, shelf_slug) in enumerate(shelves):
            found[(slug, shelf_slug)], _ = Category.objects.get_or_create(
                base=base, slug=shelf_slug, defaults={"name": shelf, "order": position}
            )
    return found
