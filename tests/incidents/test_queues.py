"""Keyset pagination and the queue definitions: every page walked, no row twice, none skipped."""

import base64
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from incidents.choices import HoldReason, MajorIncidentState
from incidents.models import Incident
from incidents.queues import (
    QUEUES,
    SORTS,
    InvalidCursor,
    capped_count,
    decode_cursor,
    encode_cursor,
    paginate,
    sort_named,
)
from incidents.services import assign_incident, hold_incident, start_incident
from itsm.core.models import Task

ROWS = 23
SIZE = 5


def walk_forward(queryset, sort, size=SIZE) -> list[list[int]]:
    pages, cursor = [], None
    while True:
        page = paginate(queryset, sort, after=cursor, size=size)
        pages.append([row.pk for row in page.rows])
        cursor = page.next_cursor
        if cursor is None:
            return pages


def walk_back(queryset, sort, start, size=SIZE) -> list[list[int]]:
    pages, cursor = [], start
    while cursor is not None:
        page = paginate(queryset, sort, before=cursor, size=size)
        pages.append([row.pk for row in page.rows])
        cursor = page.previous_cursor
    return pages


def expected_order(sort) -> list[int]:
    rows = [(getattr(incident, sort.field), incident.pk) for incident in Incident.objects.all()]
    return [pk for _value, pk in sorted(rows, reverse=sort.descending)]


@pytest.fixture
def tied_incidents(make_incident):
    """ROWS incidents whose priorities and timestamps tie in large blocks."""
    incidents = [make_incident(title=f"Incident {n}") for n in range(ROWS)]
    moment = timezone.now() - timedelta(days=1)
    for n, incident in enumerate(incidents):
        Task.objects.filter(pk=incident.pk).update(
            priority=1 + n % 2,
            opened_at=moment + timedelta(minutes=n // 6),
            updated_at=moment + timedelta(minutes=n // 4),
        )
    return incidents


@pytest.mark.django_db
class TestKeysetPagination:
    @pytest.mark.parametrize("sort_name", list(SORTS))
    def test_walking_forward_visits_every_row_once_in_order(self, tied_incidents, sort_name):
        # given
        sort = SORTS[sort_name]

        # when
        pages = walk_forward(Incident.objects.all(), sort)

        # then
        flat = [pk for page in pages for pk in page]
        assert flat == expected_order(sort)
        assert len(flat) == len(set(flat)) == ROWS
        assert [len(page) for page in pages] == [5, 5, 5, 5, 3]

    @pytest.mark.parametrize("sort_name", ["priority", "-opened", "updated"])
    def test_walking_back_from_the_last_page_gives_the_same_pages(self, tied_incidents, sort_name):
        # given
        sort = SORTS[sort_name]
        forward = walk_forward(Incident.objects.all(), sort)
        last = paginate(Incident.objects.all(), sort, after=self._cursor_before_last(sort), size=SIZE)

        # when
        backward = walk_back(Incident.objects.all(), sort, last.previous_cursor)

        # then
        assert [row.pk for row in last.rows] == forward[-1]
        assert list(reversed(backward)) == forward[:-1]

    def _cursor_before_last(self, sort) -> str:
        cursor = None
        for _ in range(ROWS // SIZE):
            cursor = paginate(Incident.objects.all(), sort, after=cursor, size=SIZE).next_cursor
        return cursor

    def test_first_page_has_no_previous_and_last_has_no_next(self, tied_incidents):
        first = paginate(Incident.objects.all(), SORTS["priority"], size=SIZE)
        assert first.previous_cursor is None and first.next_cursor

        everything = paginate(Incident.objects.all(), SORTS["priority"], size=ROWS)
        assert everything.next_cursor is None and everything.previous_cursor is None
        assert not everything.has_other_pages

    def test_a_row_deleted_between_pages_does_not_shift_the_next_page(self, tied_incidents):
        # given: page one read by number
        sort = SORTS["number"]
        first = paginate(Incident.objects.all(), sort, size=SIZE)

        # when: a row of page one is deleted before page two is read
        Task.objects.filter(pk=first.rows[0].pk).delete()
        second = paginate(Incident.objects.all(), sort, after=first.next_cursor, size=SIZE)

        # then: page two starts right after page one's last row, as before
        order = expected_order(sort)
        assert [row.pk for row in second.rows] == order[4:9]

    def test_an_empty_queryset_has_one_empty_page(self, db):
        page = paginate(Incident.objects.none(), SORTS["priority"])
        assert page.rows == [] and not page.has_other_pages


@pytest.mark.django_db
class TestCursors:
    @pytest.mark.parametrize("sort_name", list(SORTS))
    def test_round_trip(self, make_incident, sort_name):
        # given
        sort = SORTS[sort_name]
        incident = make_incident()

        # when
        token = encode_cursor(sort, sort.key_of(incident))

        # then
        assert decode_cursor(sort, token) == sort.key_of(incident)
        assert token.replace("-", "").replace("_", "").isalnum()

    @pytest.mark.parametrize(
        "token",
        [
            "",
            "not base64 at all!",
            base64.urlsafe_b64encode(b"[1, 2").decode(),
            base64.urlsafe_b64encode(json.dumps({"a": 1}).encode()).decode(),
            base64.urlsafe_b64encode(json.dumps(["priority", 1]).encode()).decode(),
            base64.urlsafe_b64encode(json.dumps(["priority", "one", 5]).encode()).decode(),
            base64.urlsafe_b64encode(json.dumps(["priority", True, 5]).encode()).decode(),
            base64.urlsafe_b64encode(json.dumps(["priority", 1, 2**64]).encode()).decode(),
            base64.urlsafe_b64encode(json.dumps(["priority", 1, -3]).encode()).decode(),
            base64.urlsafe_b64encode(json.dumps(["number", 1, 5]).encode()).decode(),
            base64.urlsafe_b64encode(b"\xff\xfe").decode(),
            "A" * 500,
        ],
    )
    def test_damaged_tokens_are_refused(self, token):
        with pytest.raises(InvalidCursor):
            decode_cursor(SORTS["priority"], token)

    @pytest.mark.parametrize("value", ["yesterday", 5, "2024-01-01T10:00:00"])
    def test_dates_must_be_aware_timestamps(self, value):
        token = base64.urlsafe_b64encode(json.dumps(["-opened", value, 5]).encode()).decode()
        with pytest.raises(InvalidCursor):
            decode_cursor(SORTS["-opened"], token)

    def test_unknown_sort_names_fall_back_to_the_default(self):
        assert sort_named("nonsense", "-updated") is SORTS["-updated"]
        assert sort_named(None, "priority") is SORTS["priority"]
        assert sort_named("-number", "priority") is SORTS["-number"]


@pytest.mark.django_db
def test_capped_count_stops_at_the_cap(make_incident):
    for n in range(5):
        make_incident(title=f"Incident {n}")
    assert capped_count(Incident.objects.all(), cap=3) == (3, True)
    assert capped_count(Incident.objects.all(), cap=5) == (5, False)
    assert capped_count(Incident.objects.all(), cap=10) == (5, False)


@pytest.mark.django_db
def test_each_queue_selects_its_incidents(make_incident, agent, team, other_requester):
    # given
    other_team = team.__class__.objects.create(name="Elsewhere", slug="elsewhere")
    mine = make_incident(title="mine")
    assign_incident(mine, actor=agent, group=team, assignee=agent)
    make_incident(title="waiting", assignment_group=team, actor=agent)
    elsewhere = make_incident(title="elsewhere", assignment_group=other_team, actor=agent)
    held = make_incident(title="held")
    start_incident(held, actor=agent)
    hold_incident(held, actor=agent, reason=HoldReason.AWAITING_CALLER)
    major = make_incident(title="major")
    Incident.objects.filter(pk=major.pk).update(major_state=MajorIncidentState.ACCEPTED)

    # when
    titles = {
        slug: set(queue.select(Incident.objects.all(), agent).values_list("title", flat=True))
        for slug, queue in QUEUES.items()
    }

    # then
    assert titles["mine"] == {"mine"}
    assert titles["unassigned"] == {"waiting"}
    assert titles["open"] == {"mine", "waiting", "elsewhere", "held", "major"}
    assert titles["on-hold"] == {"held"}
    assert titles["major"] == {"major"}
    assert titles["all"] == titles["open"]
    assert elsewhere.pk not in [i.pk for i in QUEUES["unassigned"].select(Incident.objects.all(), agent)]
