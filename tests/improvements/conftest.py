"""Register tests reuse the web surfaces' signed-in clients."""

from tests.web.conftest import client_for  # noqa: F401
