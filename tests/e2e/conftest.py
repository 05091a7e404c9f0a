"""Browser fixtures: the system's Chromium driven by Playwright, against pytest-django's live server.

Nothing is downloaded: the browser is Debian's `chromium` (`playwright install` is never used).
Without it, or without the playwright package, the tests skip with the reason, or fail in a run
that requires them (ITSM_REQUIRE=browser, set by .ci/run).
"""

import os
import shutil
import socket
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.test.utils import override_settings

from itsm.core.roles import Role
from tests.conftest import require_or_skip

CHROMIUM = Path(os.environ.get("ITSM_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
#: The only hosts a page may contact: the live server itself.
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
#: Ports the live server may use (firewalled sandboxes open this range); any free port otherwise.
LIVE_SERVER_PORTS = range(8101, 8111)


def _free_port() -> int:
    for port in LIVE_SERVER_PORTS:
        with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    return 0


@contextmanager
def _environ(name: str, value: str) -> Iterator[None]:
    """Set an environment variable for a while; subprocesses started later must not inherit it."""
    previous = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = previous


@pytest.fixture(scope="module")
def chromium() -> Iterator:
    """One headless Chromium per module; each test opens its own context (cookies, storage).

    Module-scoped so that Playwright's event loop, and the permission to use the ORM beside it,
    end with the browser tests instead of leaking into the rest of the session.
    """
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        require_or_skip("browser", f"the playwright package cannot be imported ({error})")
    if not CHROMIUM.exists() or not shutil.which(str(CHROMIUM)):
        require_or_skip("browser", f"no Chromium at {CHROMIUM} (install Debian's chromium package)")
    # Playwright's sync API runs an event loop in this thread; Django refuses ORM calls from a
    # thread with a running loop unless told that this is deliberate.
    with _environ("DJANGO_ALLOW_ASYNC_UNSAFE", "true"), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    """Users are created per test; the production hasher would cost ~0.25 s each (login checks too)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _role_groups(transactional_db) -> None:
    """The roles migration's groups: an earlier transactional test may have flushed them."""
    for role in Role.values:
        Group.objects.get_or_create(name=role)


@pytest.fixture(scope="session")
def _plain_http() -> Iterator[None]:
    """The live server speaks plain HTTP on loopback, so no HTTPS redirect and no Secure cookies.

    Session-wide because SecurityMiddleware reads SECURE_SSL_REDIRECT once, when the live
    server builds its handler, which happens before any per-test `settings` change.
    """
    override = override_settings(
        SECURE_SSL_REDIRECT=False, SESSION_COOKIE_SECURE=False, CSRF_COOKIE_SECURE=False
    )
    override.enable()
    yield
    override.disable()


@pytest.fixture(scope="session")
def _loopback_address() -> Iterator[None]:
    """Where pytest-django starts the live server (unless --liveserver says otherwise).

    The loopback address rather than "localhost", so nothing the browser loads can resolve
    anywhere else.
    """
    with _environ("DJANGO_LIVE_TEST_SERVER_ADDRESS", f"127.0.0.1:{_free_port()}"):
        yield


@pytest.fixture(scope="session")
def live_server(_plain_http, _loopback_address, live_server):
    """pytest-django's live server, started after the two fixtures above."""
    return live_server


class PageWatch:
    """What a page did that a test must not allow: requests off loopback, console errors."""

    def __init__(self) -> None:
        self.foreign_requests: list[str] = []
        self.console_errors: list[str] = []
        self.in_flight = 0

    def attach(self, context) -> None:
        context.route("**/*", self._route)
        context.on("request", lambda request: self._count(+1))
        context.on("requestfinished", lambda request: self._count(-1))
        context.on("requestfailed", lambda request: self._count(-1))
        context.on(
            "console", lambda message: message.type == "error" and self.console_errors.append(message.text)
        )
        context.on("weberror", lambda error: self.console_errors.append(str(error.error)))

    def _route(self, route) -> None:
        url = urlparse(route.request.url)
        if url.scheme in {"data", "blob", "about"} or url.hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            self.foreign_requests.append(route.request.url)
            route.abort()

    def _count(self, step: int) -> None:
        self.in_flight = max(0, self.in_flight + step)

    def settle(self, context, timeout_ms: int = 5_000) -> None:
        """Wait until no request of the context is still on its way to the live server.

        A request still being served when the test ends would hold the database while the
        test's teardown empties it (on SQLite: "database table is locked", and the next test
        starts on leftovers).
        """
        pages = [page for page in context.pages if not page.is_closed()]
        waited = 0
        while pages and self.in_flight and waited < timeout_ms:
            pages[0].wait_for_timeout(50)
            waited += 50

    def assert_clean(self) -> None:
        assert self.foreign_requests == [], f"requests left loopback: {self.foreign_requests}"
        assert self.console_errors == [], f"console errors: {self.console_errors}"


@pytest.fixture
def browser_context(chromium):
    """`browser_context(viewport=...)` opens a watched context; all are closed after the test."""
    opened = []

    def open_context(**options):
        context = chromium.new_context(**{"viewport": {"width": 1280, "height": 860}, **options})
        context.set_default_timeout(10_000)
        watch = PageWatch()
        watch.attach(context)
        opened.append((context, watch))
        return context, watch

    yield open_context
    for context, watch in opened:
        watch.settle(context)
        context.close()


@pytest.fixture
def screenshot_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
