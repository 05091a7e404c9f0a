"""Rate limits per token and per client address, with RateLimit-* headers and 429 + Retry-After."""

from unittest import mock

import pytest
from rest_framework.test import APIClient

from itsm.api import ratelimit
from itsm.api.models import ApiToken


@pytest.fixture(autouse=True)
def _low_limits(settings):
    settings.API_RATE_LIMITS = {"token": "3/minute", "anonymous": "2/minute"}


def token_client(user, **credentials) -> APIClient:
    _, key = ApiToken.issue(user, "bot", scopes=["read"])
    client = APIClient(**credentials)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def assert_rate_limited(response) -> None:
    assert response.status_code == 429, response.content
    error = response.json()["error"]
    assert error["code"] == "rate_limited" and error["status"] == 429 and "Rate limit of" in error["message"]
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response["RateLimit-Remaining"] == "0"


@pytest.mark.django_db
class TestTokenLimits:
    def test_headers_count_down_then_429_with_retry_after(self, agent):
        client = token_client(agent)
        remaining = []
        for _ in range(3):
            response = client.get("/api/v1/incidents/")
            assert response.status_code == 200
            assert response["RateLimit-Limit"] == "3" and 1 <= int(response["RateLimit-Reset"]) <= 60
            remaining.append(response["RateLimit-Remaining"])
        assert remaining == ["2", "1", "0"]
        assert_rate_limited(client.get("/api/v1/incidents/"))

    def test_each_token_has_its_own_budget(self, agent):
        first = token_client(agent)
        for _ in range(4):
            first.get("/api/v1/incidents/")
        assert token_client(agent).get("/api/v1/incidents/").status_code == 200

    def test_refused_scopes_count_too(self, agent):
        client = token_client(agent)
        for _ in range(3):
            assert client.post("/api/v1/incidents/", {}, format="json").status_code == 403
        assert_rate_limited(client.get("/api/v1/incidents/"))

    def test_token_requests_do_not_use_the_address_budget(self, agent, api_client):
        client = token_client(agent)
        for _ in range(3):
            client.get("/api/v1/incidents/")
        assert api_client.get("/api/v1/incidents/").status_code == 401

    def test_off_means_no_limit(self, agent, settings):
        settings.API_RATE_LIMITS = {"token": "off", "anonymous": "off"}
        client = token_client(agent)
        for _ in range(5):
            response = client.get("/api/v1/incidents/")
            assert response.status_code == 200 and not response.has_header("RateLimit-Limit")

    def test_sessions_are_not_limited(self, client, agent):
        client.force_login(agent)
        for _ in range(5):
            assert client.get("/api/v1/incidents/").status_code == 200

    def test_a_broken_cache_lets_requests_through(self, agent):
        client = token_client(agent)
        with mock.patch.object(ratelimit, "_count", side_effect=ConnectionError("cache down")):
            for _ in range(5):
                response = client.get("/api/v1/incidents/")
                assert response.status_code == 200 and not response.has_header("RateLimit-Limit")


@pytest.mark.django_db
class TestAddressLimits:
    def test_anonymous_requests_are_limited_per_address(self, api_client):
        for _ in range(2):
            response = api_client.get("/api/v1/incidents/")
            assert response.status_code == 401 and response["RateLimit-Limit"] == "2"
        assert_rate_limited(api_client.get("/api/v1/incidents/"))
        other = APIClient(REMOTE_ADDR="192.0.2.7")
        assert other.get("/api/v1/incidents/").status_code == 401

    def test_wrong_keys_count_against_the_address(self, api_client):
        api_client.credentials(HTTP_AUTHORIZATION="Token itsm_0123456789ab_guess")
        for _ in range(2):
            assert api_client.get("/api/v1/incidents/").status_code == 401
        assert_rate_limited(api_client.get("/api/v1/incidents/"))


class TestRates:
    @pytest.mark.parametrize(
        ("text", "rate"),
        [
            ("600/minute", ratelimit.Rate(600, 60)),
            ("5/second", ratelimit.Rate(5, 1)),
            ("1000/hours", ratelimit.Rate(1000, 3600)),
        ],
    )
    def test_rates_parse(self, text, rate):
        assert ratelimit.parse_rate(text) == rate

    @pytest.mark.parametrize("text", ["", "off", None])
    def test_no_rate_is_no_limit(self, text):
        assert ratelimit.parse_rate(text) is None

    @pytest.mark.parametrize("text", ["fast", "10 per minute", "10/fortnight", "-1/minute"])
    def test_bad_rates_are_explained(self, text):
        with pytest.raises(ValueError, match="600/minute"):
            ratelimit.parse_rate(text)


@pytest.mark.django_db
def test_on_redis_a_window_counts_in_one_key_that_expires(agent):
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    from tests.conftest import require_or_skip

    cache = caches["default"]
    if not isinstance(cache, RedisCache):
        require_or_skip("redis", "the pipelined counter is Redis-only (set REDIS_URL)")
    # when
    first = ratelimit.hit("probe", ratelimit.Rate(5, 60))
    second = ratelimit.hit("probe", ratelimit.Rate(5, 60))
    # then
    assert (first.remaining, second.remaining) == (4, 3)
    client = cache._cache.get_client(write=False)
    (key,) = client.keys(cache.make_and_validate_key("api-rate:probe:*"))
    assert 0 < client.ttl(key) <= 61 and int(client.get(key)) == 2
