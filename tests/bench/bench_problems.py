"""Benchmark of the problem-proposal clustering: precision and recall on planted clusters, and run time.

    .venv/bin/python tests/bench/bench_problems.py [--items 100000] [--clusters 200]

Generates incidents in memory: `--clusters` planted clusters (5–30 incidents each, one
recurring fault phrased with varying detail, on one service) among background noise
(random help-desk sentences over 40 services). Runs `problems.clustering.find_clusters`,
the algorithm the beat job runs, and prints pair-wise precision and recall against the
planted truth and the time taken. The database side of the job (one indexed range read
of the window, candidate upserts) is not included here.
"""

import argparse
import random
import sys
import time
from itertools import combinations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from problems.clustering import Item, find_clusters  # noqa: E402

FAULTS = [
    "{a} crashes when opening {b}",
    "cannot connect {a} to {b}",
    "{a} very slow after {b} update",
    "{a} shows certificate error for {b}",
    "{a} login loop on {b}",
    "{a} sync fails with {b}",
]
NOUNS = """
outlook teams vpn sap payroll printer scanner sharepoint onedrive citrix laptop docking badge wifi
browser excel word jira confluence gitlab zoom webex salesforce erp crm hr portal intranet backup
monitor keyboard headset phone tablet camera projector license antivirus firewall proxy dns
""".split()  # noqa: SIM905
FILLER = "today again since morning colleague also affected urgent please team floor office home".split()  # noqa: SIM905


def generate(items: int, clusters: int, rng: random.Random) -> tuple[list[Item], dict[int, int]]:
    truth, rows, next_id = {}, [], 1
    for cluster in range(clusters):
        a, b = rng.sample(NOUNS, 2)
        fault, service = rng.choice(FAULTS).format(a=a, b=b), rng.randrange(1, 41)
        code = f"err{rng.randrange(1000, 9999)}"
        for _ in range(rng.randint(5, 30)):
            text = f"{fault} {code} " + " ".join(rng.sample(FILLER, 2))
            rows.append(Item(next_id, service, None, text, text))
            truth[next_id] = cluster
            next_id += 1
    while len(rows) < items:
        words = rng.sample(NOUNS, 3) + rng.sample(FILLER, 2)
        rows.append(Item(next_id, rng.randrange(1, 41), None, " ".join(words), ""))
        next_id += 1
    rng.shuffle(rows)
    return rows, truth


def pairs(groups) -> set[tuple[int, int]]:
    return {pair for group in groups for pair in combinations(sorted(group), 2)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--clusters", type=int, default=200)
    args = parser.parse_args()
    rows, truth = generate(args.items, args.clusters, random.Random(11))
    started = time.perf_counter()
    found = find_clusters(rows, threshold=0.5, min_size=3)
    elapsed = time.perf_counter() - started
    planted: dict[int, list[int]] = {}
    for item_id, cluster in truth.items():
        planted.setdefault(cluster, []).append(item_id)
    true_pairs, found_pairs = pairs(planted.values()), pairs(c.members for c in found)
    hits = len(true_pairs & found_pairs)
    print(f"incidents {len(rows):,}, planted clusters {args.clusters}, clusters found {len(found)}")
    precision, recall = hits / max(len(found_pairs), 1), hits / max(len(true_pairs), 1)
    print(f"pair precision {precision:.3f}, pair recall {recall:.3f}")
    print(f"clustering time {elapsed:.1f} s")


if __name__ == "__main__":
    main()
