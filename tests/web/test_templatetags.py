"""The `itsm` template library: badges, safe links, times and the capture tag."""

from datetime import timedelta

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.utils import timezone

from itsm.core.models import Task
from itsm.core.templatetags import itsm as tags


def render(source: str, **context) -> str:
    return Template("{% load itsm %}" + source).render(Context(context))


def test_state_badge_uses_the_category_colour_and_escapes_the_state():
    # given
    task = Task(state="<b>waiting_on_vendor</b>", state_category="pending")

    # when
    html = render("{% state_badge task %}", task=task)

    # then
    assert html == '<span class="badge badge-amber">&lt;b&gt;waiting on vendor&lt;/b&gt;</span>'


@pytest.mark.parametrize(
    ("value", "expected"), [(1, "badge-red"), (5, "badge-grey"), (None, "—"), ("x", "—")]
)
def test_priority_badge(value, expected):
    # when
    html = render("{% priority_badge value %}", value=value)

    # then
    assert expected in html


def test_optional_url_is_empty_for_pages_that_do_not_exist():
    # when
    found = render('{% optional_url "core:task-detail" 7 as url %}{{ url }}')
    missing = render('{% optional_url "nowhere:page" as url %}[{{ url }}]')

    # then
    assert found == "/work/tasks/7/"
    assert missing == "[]"


def test_reltime_past_future_and_missing():
    # given
    now = timezone.now()

    # when
    past = tags.reltime(now - timedelta(hours=3))
    future = tags.reltime(now + timedelta(days=2, minutes=1))
    missing = tags.reltime(None)

    # then
    assert "3\xa0hours ago</time>" in past and 'datetime="' in past
    assert ">in 2\xa0days</time>" in future
    assert "—" in missing


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, "—"), ("", "—"), ({"id": 3, "label": "Service Desk"}, "Service Desk"), (2, "2")],
)
def test_change_value(value, expected):
    assert tags.change_value(value) == expected


def test_capture_keeps_markup_escaped_once():
    # when
    html = render(
        "{% capture as title %}{{ text }}{% endcapture %}<title>{{ title }}</title>", text="A & <B>"
    )

    # then
    assert html == "<title>A &amp; &lt;B&gt;</title>"


def test_capture_needs_a_variable_name():
    with pytest.raises(TemplateSyntaxError):
        Template("{% load itsm %}{% capture %}x{% endcapture %}")
