"""Benchmark of the knowledge search on PostgreSQL: latency of typical 1–3 word queries and
the top-3 hit rate of the labelled relevance set planted among the generated articles.

    createdb -h 127.0.0.1 -U postgres itsm_bench_knowledge
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/itsm_bench_knowledge
    .venv/bin/python manage.py migrate -v0
    .venv/bin/python manage.py seed_knowledge --articles 100000
    .venv/bin/python tests/bench/bench_knowledge.py [--queries 300]

(`migrate` also fills the head vectors and the word list of articles seeded before them; after
a large seed or backfill run `VACUUM ANALYZE knowledge_article`, as autovacuum would.)

Each query runs `knowledge.services.search_articles` (the function every page and the API
call) as a requester and as an agent, with snippets; times are wall-clock per call, after
one warm-up pass.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "itsm.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402

from itsm.core.roles import Role  # noqa: E402
from knowledge import services  # noqa: E402
from knowledge.management.commands.seed_knowledge import PROBLEMS, SUBJECTS, VERBS  # noqa: E402
from knowledge.models import Article  # noqa: E402
from tests.knowledge.test_search import RELEVANCE  # noqa: E402


def persona(name: str, role: str):
    from django.contrib.auth.models import Group

    user, _ = get_user_model().objects.get_or_create(username=f"bench-{name}")
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    return get_user_model().objects.get(pk=user.pk)


def queries(count: int, rng: random.Random) -> list[str]:
    typos = ["pasword", "outlok", "prnter", "certficate", "keybord"]
    found = []
    for _ in range(count):
        size = rng.choice([1, 1, 2, 2, 3])
        words = rng.sample(SUBJECTS + VERBS + PROBLEMS, size)
        found.append(" ".join(words))
    return found + typos


def misspelled(count: int, rng: random.Random) -> list[str]:
    """1–2 word queries with one letter dropped from a word: the typo path (word-list correction)."""
    found = []
    for _ in range(count):
        words = rng.sample(SUBJECTS + VERBS + PROBLEMS, rng.choice([1, 2]))
        long = [w for w in words if len(w) >= 5] or words
        word = rng.choice(long)
        cut = rng.randrange(1, len(word) - 1) if len(word) > 2 else 0
        words[words.index(word)] = word[:cut] + word[cut + 1 :]
        found.append(" ".join(words))
    return found


def timed(user, query_list: list[str]) -> list[float]:
    times = []
    for query in query_list:
        start = time.perf_counter()
        services.search_articles(user, query, limit=10)
        times.append((time.perf_counter() - start) * 1000)
    return times


def report(label: str, times: list[float]) -> None:
    times = sorted(times)
    p95 = times[int(len(times) * 0.95) - 1]
    print(
        f"{label:<10} n={len(times)} p50={statistics.median(times):.1f} ms p95={p95:.1f} ms "
        f"max={times[-1]:.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run against PostgreSQL (DATABASE_URL=postgres://...).")
    print(f"articles: {Article.objects.count():,} ({Article.objects.published().count():,} published)")
    rng = random.Random(11)
    query_list = queries(args.queries, rng)
    requester, agent = persona("requester", Role.REQUESTER), persona("agent", Role.AGENT)
    timed(agent, query_list[:50])  # warm-up
    report("requester", timed(requester, query_list))
    report("agent", timed(agent, query_list))
    typo_list = misspelled(60, rng)
    report("typos", timed(requester, typo_list))
    hits = sum(
        expected in [h.article.title for h in services.search_articles(agent, q, limit=3)]
        for q, expected in RELEVANCE
    )
    print(f"relevance: top-3 hit rate {hits}/{len(RELEVANCE)} = {hits / len(RELEVANCE):.0%}")


if __name__ == "__main__":
    main()
