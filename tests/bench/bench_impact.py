"""Benchmark: impact analysis on a generated estate of 100,000 CIs (PostgreSQL).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/itsm_cmdb .venv/bin/python -m tests.bench.bench_impact

Builds the graph of tests/cmdb/graphs.py in a throwaway database (`bench_<name>`, created
and dropped here, like the test runner's), then prints p50/p95/max of `affected_services`
for random CIs, a core switch's figures (the worst case: most of the estate stands on it),
and EXPLAIN ANALYZE of the recursive CTE. Options: --cis N, --samples N, --seed N.
It prints figures; it asserts nothing (not a timed test; pytest does not collect it).
"""

import argparse
import os
import random
import statistics
import sys
import time


def main() -> None:
    options = _options()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "itsm.settings")
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        print("note: DATABASE_URL is not PostgreSQL; the figures are for", connection.vendor, file=sys.stderr)
    settings = connection.settings_dict
    settings["TEST"] = {**settings.get("TEST", {}), "NAME": f"bench_{settings['NAME']}"}
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        _run(options)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cis", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args()


def _run(options: argparse.Namespace) -> None:
    from django.db import connection

    from itsm.cmdb import impact
    from itsm.cmdb.choices import CIClass
    from tests.cmdb.graphs import build_graph

    started = time.perf_counter()
    graph = build_graph(options.cis, seed=options.seed, progress=lambda message: print(f"  {message}"))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    services = len({service for service, _ci in graph.components})
    print(
        f"built {len(graph.ci_ids):,} CIs, {len(graph.edges):,} relationships, {services:,} services, "
        f"{len(graph.service_edges):,} service dependencies in {time.perf_counter() - started:.1f} s "
        f"on {connection.vendor}"
    )
    rng = random.Random(options.seed)
    sample = rng.sample(graph.ci_ids, min(options.samples, len(graph.ci_ids)))
    _measure("affected_services, random CIs", impact.affected_services, sample)
    _measure("affected_service_depths (ids only), random CIs", impact.affected_service_depths, sample)
    by_class = {ci_class: rng.sample(ids, min(50, len(ids))) for ci_class, ids in graph.by_class.items()}
    for ci_class in (CIClass.STORAGE, CIClass.SERVER, CIClass.VIRTUAL_MACHINE, CIClass.APPLICATION):
        _measure(f"affected_services, {ci_class}", impact.affected_services, by_class[ci_class])
    switch = graph.by_class[CIClass.NETWORK_DEVICE][0]
    _measure("affected_services, a core switch (worst case)", impact.affected_services, [switch] * 10)
    _measure("impact_of (the CI page), a core switch", impact.impact_of, [switch] * 10)
    print(
        f"core switch {switch}: {len(impact.affected_ci_depths(switch)):,} CIs and "
        f"{len(impact.affected_service_depths(switch)):,} services affected"
    )
    _explain("a core switch (worst case)", switch)
    _explain("a random application", rng.choice(graph.by_class[CIClass.APPLICATION]))


def _measure(label: str, function, cis: list[int]) -> None:
    function(cis[0])  # warm the connection and the plan cache
    timings = []
    for ci in cis:
        started = time.perf_counter()
        function(ci)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
    print(
        f"{label:<50} n={len(timings):<4} p50 {statistics.median(timings):7.2f} ms   "
        f"p95 {p95:7.2f} ms   max {timings[-1]:7.2f} ms"
    )


def _explain(label: str, ci: int) -> None:
    from django.db import connection

    from itsm.cmdb import impact

    prefix = "EXPLAIN (ANALYZE, BUFFERS)" if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN"
    with connection.cursor() as cursor:
        cursor.execute(f"{prefix} {impact.affected_service_depths_sql()}", [ci])
        plan = "\n".join("  " + " ".join(str(part) for part in row) for row in cursor.fetchall())
    print(f"\n{prefix} of affected_service_depths for {label} (CI {ci}):\n{plan}")


if __name__ == "__main__":
    main()
