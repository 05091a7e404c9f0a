"""The SSRF guard: every non-public address class is refused, at save and at delivery."""

import ipaddress
import socket

import pytest
from django.core.exceptions import ValidationError

from itsm.notifications import ssrf
from itsm.notifications.webhooks import services


def resolving_to(monkeypatch, *addresses: str) -> None:
    infos = [
        (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, 443))
        for a in addresses
    ]
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kwargs: infos)


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("240.0.0.1", "reserved"),
        ("100.64.0.1", "non-public"),
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fe80::1", "link-local"),
        ("fc00::1", "private"),
        ("ff02::1", "multicast"),
        ("::ffff:127.0.0.1", "embedding 127.0.0.1, a loopback"),
        ("::ffff:10.0.0.1", "embedding 10.0.0.1, a private"),
        ("2002:7f00:1::", "embedding 127.0.0.1"),
    ],
)
def test_non_public_addresses_are_refused(address, reason):
    assert reason in ssrf.refusal_reason(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_pass(address):
    assert ssrf.refusal_reason(ipaddress.ip_address(address)) == ""


def test_any_private_address_among_several_refuses_the_host(monkeypatch, settings):
    settings.WEBHOOK_ALLOWED_HOSTS = []
    resolving_to(monkeypatch, "93.184.215.14", "10.0.0.7")
    with pytest.raises(ssrf.UnsafeDestination, match="10.0.0.7, a private address"):
        ssrf.check_url("https://hooks.example.com/x")


def test_allow_list_lets_a_host_through(monkeypatch, settings):
    resolving_to(monkeypatch, "10.0.0.7")
    settings.WEBHOOK_ALLOWED_HOSTS = ["hooks.internal"]
    destination = ssrf.check_url("https://HOOKS.internal:8443/in?x=1")
    assert destination.addresses == ("10.0.0.7",) and destination.port == 8443
    assert destination.target == "/in?x=1" and destination.host_header == "hooks.internal:8443"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.com/", "http:// or https://"),
        ("http://user:pw@example.com/", "user name or password"),
        ("http:///path", "no host"),
        ("http://example.com:99999/", "port"),
    ],
)
def test_malformed_urls(url, message):
    with pytest.raises(ssrf.UnsafeDestination, match=message):
        ssrf.check_url(url)


def test_unresolvable_host(monkeypatch):
    def fail(*args, **kwargs):
        raise socket.gaierror("Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", fail)
    with pytest.raises(ssrf.UnsafeDestination, match="cannot be resolved"):
        ssrf.check_url("https://nowhere.invalid/")


@pytest.mark.django_db
def test_saving_a_private_url_is_a_clear_error(monkeypatch, settings, admin_user):
    settings.WEBHOOK_ALLOWED_HOSTS = []
    resolving_to(monkeypatch, "169.254.169.254")
    with pytest.raises(ValidationError) as error:
        services.create_subscription(
            actor=admin_user,
            name="Metadata",
            url="http://metadata.example/",
            event_types=["incident.created"],
        )
    assert "link-local address" in error.value.message_dict["url"][0]
