"""Benchmark: what token authentication adds to an API request (issue 9: ≤ 2 ms).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/itsm_h_a REDIS_URL=redis://127.0.0.1:6379/8 \\
        .venv/bin/python -m tests.bench.bench_api_auth [--runs 2000]

Builds a throwaway database (`bench_<name>`, created, migrated and dropped here), issues a
token with one area scope, and prints p50/p95/mean in ms of:

1. `ApiTokenAuthentication.authenticate()` alone, as DRF calls it for GET /api/v1/incidents/:
   parse the header, one indexed lookup of the token and its user, the SHA-256 check, the
   rate-limit count in the cache (Redis with REDIS_URL), the scope check for the view;
2. the same request end to end through Django's handler (middleware, view, rendering) on the
   API root and on a one-row incident list, with the token, with a browser session, and with
   the user forced in (no authentication work at all; the user object and its roles stay
   cached between requests, so this baseline flatters), run in turn; the differences of the
   medians are the overhead a client sees.
3. a create (POST /api/v1/incidents/ with SLA-free defaults) without and with a new
   `Idempotency-Key`, and its replay.

The rate limit is set high enough never to refuse. It prints figures; it asserts nothing.
"""

import argparse
import os
import statistics
import sys
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2000)
    options = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "itsm.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("This benchmark needs PostgreSQL: set DATABASE_URL=postgres://...")
    settings.API_RATE_LIMITS = {"token": "100000000/minute", "anonymous": "100000000/minute"}
    settings.ALLOWED_HOSTS = ["*"]
    settings.SECURE_SSL_REDIRECT = False
    db = connection.settings_dict
    db["TEST"] = {**db.get("TEST", {}), "NAME": f"bench_{db['NAME']}"}
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        cache = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
        print(f"PostgreSQL {db['NAME']}, cache {cache}, {options.runs} runs each, load {_load()}")
        _run(options.runs)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def _run(runs: int) -> None:
    from django.contrib.auth.models import Group
    from django.core.cache import cache
    from django.urls import resolve
    from rest_framework.test import APIClient, APIRequestFactory

    from incidents.api.views import IncidentViewSet
    from itsm.api import ratelimit, scopes
    from itsm.api.authentication import ApiTokenAuthentication
    from itsm.api.models import ApiToken
    from tests.factories import UserFactory

    cache.clear()
    agent = UserFactory(username="bench.agent")
    agent.groups.add(Group.objects.get_or_create(name="agent")[0])
    _, key = ApiToken.issue(agent, "benchmark", scopes=["incidents:read"])
    header = f"Token {key}"

    # 1. authenticate() alone, with the view and route DRF would give it
    factory = APIRequestFactory()
    view = IncidentViewSet(action_map={"get": "list"}, basename="incident", format_kwarg=None)
    auth = ApiTokenAuthentication()
    django_request = factory.get("/api/v1/incidents/", HTTP_AUTHORIZATION=header)
    django_request.resolver_match = resolve("/api/v1/incidents/")
    request = view.initialize_request(django_request)  # authenticate() below does not cache its answer

    def one_authentication() -> None:
        user, _token = auth.authenticate(request)
        assert user.pk == agent.pk

    _print("authenticate() incl. rate limit and scope", _time(one_authentication, runs))
    _print(
        "  of which: the token and user lookup (one query)", _time(lambda: auth._verified_token(key), runs)
    )
    rate = ratelimit.Rate(10**9, 60)
    _print(
        "  of which: the rate-limit count (one cache round trip)",
        _time(lambda: ratelimit.hit("bench", rate), runs),
    )
    _print(
        "  of which: the scope check", _time(lambda: scopes.check(request, view, ["incidents:read"]), runs)
    )

    # 2. whole requests: token, browser session, user forced in; alternating
    with_token, session, forced = APIClient(), APIClient(), APIClient()
    with_token.credentials(HTTP_AUTHORIZATION=header)
    session.force_login(agent)
    forced.force_authenticate(agent)
    clients = {"token": with_token, "session": session, "forced": forced}
    for path in ("/api/v1/", "/api/v1/incidents/?page_size=1"):
        times: dict[str, list[float]] = {name: [] for name in clients}
        for n in range(runs // 2 + 20):
            for name, client in clients.items():
                started = time.perf_counter()
                response = client.get(path)
                elapsed = (time.perf_counter() - started) * 1000
                assert response.status_code == 200, response.content
                if n >= 20:
                    times[name].append(elapsed)
        for name, label in (
            ("token", "the token"),
            ("session", "a session"),
            ("forced", "the user forced in"),
        ):
            _print(f"GET {path} with {label}", times[name])
        median = {name: statistics.median(values) for name, values in times.items()}
        print(
            f"  -> token minus session: {median['token'] - median['session']:.2f} ms; "
            f"token minus forced: {median['token'] - median['forced']:.2f} ms (differences of the medians)"
        )

    # 3. what an Idempotency-Key adds to a create (claim insert, fingerprint, storing the answer)
    requester = UserFactory(username="bench.requester")
    requester.groups.add(Group.objects.get_or_create(name="requester")[0])
    _, write_key = ApiToken.issue(requester, "benchmark writes", scopes=["incidents:write"])
    writer = APIClient()
    writer.credentials(HTTP_AUTHORIZATION=f"Token {write_key}")
    creates = max(50, runs // 10)
    plain, keyed, replayed = [], [], []
    for n in range(creates):
        body = {"title": f"Benchmark alert {n}", "urgency": 2}
        for times, extra in ((plain, {}), (keyed, {"HTTP_IDEMPOTENCY_KEY": f"alert-{n}"})):
            started = time.perf_counter()
            response = writer.post("/api/v1/incidents/", body, format="json", **extra)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 201, response.content
        started = time.perf_counter()
        response = writer.post("/api/v1/incidents/", body, format="json", HTTP_IDEMPOTENCY_KEY=f"alert-{n}")
        replayed.append((time.perf_counter() - started) * 1000)
        assert response["Idempotent-Replayed"] == "true"
    _print(f"POST /api/v1/incidents/ without a key ({creates})", plain)
    _print(f"POST /api/v1/incidents/ with a new key ({creates})", keyed)
    _print(f"POST /api/v1/incidents/ replayed ({creates})", replayed)
    print(
        f"  -> Idempotency-Key cost on a create: {statistics.median(keyed) - statistics.median(plain):.2f} ms"
    )


def _time(action, runs: int) -> list[float]:
    for _ in range(50):
        action()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return times


def _print(label: str, times: list[float]) -> None:
    ordered = sorted(times)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    p50, mean = statistics.median(ordered), statistics.fmean(ordered)
    print(f"{label:58} p50 {p50:6.2f} ms  p95 {p95:6.2f} ms  mean {mean:6.2f} ms")


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


if __name__ == "__main__":
    main()
