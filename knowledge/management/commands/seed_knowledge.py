"""Bulk articles for benchmarks: `manage.py seed_knowledge --articles 100000`.

Published articles made of IT help-desk vocabulary (titles of 4–8 words, bodies of 60–160),
inserted with bulk_create in batches, plus the demo articles (the relevance set) planted among
them; then the search vectors, head vectors and word list are computed set-based, the way
`knowledge.services.indexing` computes them one by one.
"""

import random

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone

from knowledge import markdown
from knowledge.demo import ARTICLES
from knowledge.models import Article, Category, KnowledgeBase
from knowledge.services.indexing import HEAD_SQL, WORDS_SQL, vector_expression

SUBJECTS = """
vpn outlook teams printer scanner laptop password account mailbox calendar sharepoint onedrive citrix
docking badge wifi browser excel word jira confluence gitlab zoom webex salesforce erp crm payroll
intranet backup monitor keyboard headset phone tablet camera projector licence antivirus firewall
proxy dns certificate bitlocker mfa authenticator sso token network drive folder permissions
dock charger battery display touchpad webcam microphone speaker usb bluetooth router switch server
database cluster storage quota archive retention signature template macro addin plugin driver
firmware bios kiosk terminal remote desktop hotspot roaming guest visitor parking canteen locker
expense travel invoice purchase contract timesheet leave onboarding offboarding training survey
ticket queue dashboard report analytics forecast budget ledger inventory warehouse shipment
""".split()  # noqa: SIM905
VERBS = """
install configure reset unlock connect repair update remove restore sync share map enable disable
request renew migrate troubleshoot export import archive encrypt
""".split()  # noqa: SIM905
PROBLEMS = """
error slow crash freeze timeout disconnect loop missing denied expired blocked offline failing
""".split()  # noqa: SIM905
FILLER = """
the a your on in with after before when from to and or then open choose select click settings menu
window button option screen page sign company device user profile file again restart check
""".split()  # noqa: SIM905
BATCH = 5000


class Command(BaseCommand):
    help = "Create many published knowledge articles for search benchmarks (PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args, articles: int, seed: int, **options):
        rng = random.Random(seed)
        owner = get_user_model().objects.get_or_create(username="bench-owner")[0]
        base, _ = KnowledgeBase.objects.get_or_create(slug="bench", defaults={"name": "Benchmark"})
        shelves = [
            Category.objects.get_or_create(base=base, slug=f"c{i}", defaults={"name": f"Category {i}"})[0]
            for i in range(20)
        ]
        start = Article.objects.count()
        planted = {rng.randrange(articles): row for row in ARTICLES if row[8] == "published"}
        now = timezone.now()
        rows = []
        for i in range(articles):
            if i in planted:
                _b, _c, title, summary, body, _t, _s, audience, _f = planted[i]
            else:
                title, summary, body, audience = *_generated(rng), "everyone"
            rows.append(
                Article(
                    number=f"KB{start + i + 1_000_000:08d}",
                    base=base,
                    category=rng.choice(shelves),
                    title=title,
                    summary=summary,
                    body=body,
                    body_html=markdown.render(body),
                    audience=audience,
                    state="published",
                    owner=owner,
                    created_by=owner,
                    published_at=now,
                    current_version=1,
                )
            )
            if len(rows) == BATCH:
                self._flush(rows)
        self._flush(rows)
        self._index()
        self.stdout.write(f"{articles} articles created; {Article.objects.count()} in total.")

    def _flush(self, rows: list[Article]) -> None:
        with transaction.atomic():
            Article.objects.bulk_create(rows, batch_size=1000)
        rows.clear()

    def _index(self) -> None:
        if connection.vendor != "postgresql":
            return
        Article.objects.filter(state="published", search_vector__isnull=True).update(
            search_vector=vector_expression("english")
        )
        with connection.cursor() as cursor:
            cursor.execute(HEAD_SQL.format(where="a.state = 'published' AND a.head_vector IS NULL"))
            cursor.execute(WORDS_SQL.format(where="a.state = 'published'"))
            cursor.execute("ANALYZE knowledge_article")
            cursor.execute("ANALYZE knowledge_searchword")


def _generated(rng: random.Random) -> tuple[str, str, str]:
    subject, other = rng.sample(SUBJECTS, 2)
    verb, problem = rng.choice(VERBS), rng.choice(PROBLEMS)
    title = rng.choice(
        [
            f"How to {verb} {subject}",
            f"{subject.capitalize()} {problem} after {other} update",
            f"{subject.capitalize()} shows {problem} on {other}",
            f"{verb.capitalize()} {subject} for {other} access",
        ]
    )
    summary = f"{verb.capitalize()} the {subject} when it is {problem}."
    # Bodies name their own subject a few times among common words, as real articles do.
    own = [subject, subject, other, verb, problem]
    words = [rng.choice(FILLER + own) for _ in range(rng.randint(60, 160))]
    body = f"## {subject.capitalize()}\n\n" + " ".join(words) + f"\n\n1. {verb} {subject}\n2. check {other}"
    return title[:200], summary, body
