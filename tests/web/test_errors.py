"""Error pages: the layout for people, JSON for the API, and a 500 page that needs no database."""

import json

import pytest
from django.test import RequestFactory

from itsm.core.views import errors


def test_server_error_page_renders_without_a_request_context():
    # given
    request = RequestFactory().get("/work/")

    # when
    response = errors.server_error(request)

    # then
    assert response.status_code == 500
    assert b"Something went wrong on our side" in response.content
    assert b"/static/itsm/css/itsm.css" in response.content


@pytest.mark.parametrize(
    ("handler", "status", "code"),
    [
        (errors.bad_request, 400, "bad_request"),
        (errors.permission_denied, 403, "permission_denied"),
        (errors.page_not_found, 404, "not_found"),
    ],
)
def test_api_errors_are_json(handler, status, code):
    # given
    request = RequestFactory().get("/api/v1/nothing/")

    # when
    response = handler(request, None)

    # then
    assert response.status_code == status
    assert json.loads(response.content)["error"]["code"] == code


def test_api_server_error_is_json():
    # when
    response = errors.server_error(RequestFactory().get("/api/v1/tasks/"))

    # then
    assert response.status_code == 500
    assert json.loads(response.content)["error"]["code"] == "server_error"
