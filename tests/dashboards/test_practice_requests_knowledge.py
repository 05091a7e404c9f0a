"""Request and knowledge boards: each figure against a hand-computed expectation on fixed data.

Period: 1–7 March 2026 in Paris (see practice_data). Records at 23:30 UTC on 6 March fall on
7 March in Paris (counted), those at 23:30 UTC on 7 March on 8 March (not counted).
"""

import io
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalog import dashboard as request_board
from catalog import rollups as catalog_rollups
from catalog.models import (
    CatalogItem,
    Category,
    ItemVersion,
    Request,
    RequestItem,
    RequestItemDay,
    RequestRollupState,
)
from catalog.tasks import refresh_request_rollups
from itsm.approvals.models import ApprovalPlan
from itsm.core.choices import StateCategory, TaskKind
from itsm.core.models import Task
from itsm.core.services.numbering import next_number
from itsm.dashboards import registry
from knowledge import dashboard as knowledge_board
from knowledge.models import Article, ArticleUse, Deflection, KnowledgeBase, ReviewTask
from tests.dashboards.practice_data import at, incident, scope, stamp
from tests.dashboards.test_practice_problems_changes import figures, numbers, table
from tests.factories import ServiceFactory

LATE_EVENING_6TH = datetime(2026, 3, 6, 23, 30, tzinfo=UTC)
LATE_EVENING_7TH = datetime(2026, 3, 7, 23, 30, tzinfo=UTC)


def catalog_item(name: str, days: int) -> CatalogItem:
    category, _ = Category.objects.get_or_create(slug="hardware", defaults={"name": "Hardware"})
    item = CatalogItem.objects.create(
        category=category,
        slug=name.lower(),
        name=name,
        short_description=name,
        delivery_time=timedelta(days=days),
    )
    ItemVersion.objects.create(item=item, number=1, snapshot={})
    return item


def request_item(item, requester, *, opened, fulfilled=None, cancelled=False, approval=None) -> RequestItem:
    parent = Request.objects.create(
        opened_by=requester,
        number=next_number(TaskKind.REQUEST),
        kind=TaskKind.REQUEST,
        title=item.name,
        state="in_progress",
        state_category=StateCategory.OPEN,
        requester=requester,
    )
    state, category = "in_fulfilment", StateCategory.OPEN
    if fulfilled:
        state, category = "fulfilled", StateCategory.RESOLVED
    if cancelled:
        state, category = "cancelled", StateCategory.CANCELLED
    record = RequestItem.objects.create(
        number=next_number(TaskKind.REQUEST_ITEM),
        kind=TaskKind.REQUEST_ITEM,
        title=item.name,
        state=state,
        state_category=category,
        requester=requester,
        parent_request=parent,
        catalog_item=item,
        item_version=item.versions.get(),
    )
    stamp(record, opened_at=opened, resolved_at=fulfilled)
    stamp(parent, opened_at=opened)
    if approval:
        plan = ApprovalPlan.objects.create(
            subject=record, purpose="fulfilment", outcome="approved", decided_at=approval[1]
        )
        ApprovalPlan.objects.filter(pk=plan.pk).update(created_at=approval[0])
    return record


@pytest.fixture
def requests(db, requester):
    laptop, phone = catalog_item("Laptop", 3), catalog_item("Phone", 1)
    return {
        "r1": request_item(laptop, requester, opened=at(2), fulfilled=at(4), approval=(at(2), at(2, 14))),
        "r2": request_item(laptop, requester, opened=at(1), fulfilled=at(5)),
        "r3": request_item(phone, requester, opened=at(3), fulfilled=at(3, 20), approval=(at(3), at(3, 12))),
        "r4": request_item(phone, requester, opened=LATE_EVENING_6TH, cancelled=True),
        "r5": request_item(
            laptop,
            requester,
            opened=at(1) - timedelta(days=9),
            fulfilled=at(1),
            approval=(at(1) - timedelta(days=9), at(1) - timedelta(days=8)),
        ),
        "r6": request_item(phone, requester, opened=LATE_EVENING_7TH),
    }


def test_request_figures(requests, manager):
    board = request_board.build(scope(manager))
    f = figures(board)
    assert f["requested"].value == 4  # r1, r2, r3, r4 (cancelled, 7 March in Paris); not r5, r6
    assert f["fulfilled"].value == 4  # r1, r2, r3, r5 (fulfilled on 1 March)
    assert (f["delivery_sla"].metric, f["delivery_sla"].value) == (50.0, "50.0 %")  # r1 and r3 in time
    assert f["late"].value == 2  # r2 (4 days for a 3-day laptop), r5 (9 days)
    assert f["fulfilment_time"].metric == 92.5  # (48 + 96 + 10 + 216) / 4 hours
    assert f["approval_time"].metric == 3.0  # (4 + 2) / 2 hours; r5's decision is before the period
    assert table(board, "volume_by_item") == [("Laptop", 2, 3, 120.0, 33.3), ("Phone", 2, 1, 10.0, 100.0)]


def test_request_drill_downs(requests, manager):
    s = scope(manager)
    r = {key: value.number for key, value in requests.items()}
    assert numbers(request_board.records(s, "opened", "")) == {r["r1"], r["r2"], r["r3"], r["r4"]}
    assert numbers(request_board.records(s, "on_time", "")) == {r["r1"], r["r3"]}
    assert numbers(request_board.records(s, "late", "")) == {r["r2"], r["r5"]}
    assert numbers(request_board.records(s, "approved", "")) == {r["r1"], r["r3"]}
    laptop = requests["r1"].catalog_item_id
    assert numbers(request_board.records(s, "item", str(laptop))) == {r["r1"], r["r2"]}
    assert request_board.records(s, "item", "x") is None


@pytest.fixture
def knowledge(db, agent, knowledge_manager, team, requester):
    base = KnowledgeBase.objects.create(name="IT", slug="it")

    def article(number, owner, state="published", **counts):
        return Article.objects.create(
            number=number,
            base=base,
            title=f"Article {number}",
            state=state,
            owner=owner,
            created_by=owner,
            **counts,
        )

    a1 = article("KB1", agent, view_count=50, helpful_count=5, not_helpful_count=1)
    a2 = article("KB2", knowledge_manager, view_count=80)
    a3 = article("KB3", agent, state="draft", view_count=100)
    for target, when in ((a1, at(2)), (a2, at(3)), (a1, LATE_EVENING_7TH)):
        Deflection.objects.filter(pk=Deflection.objects.create(article=target, user=requester).pk).update(
            created_at=when
        )
    for target, ticket, when in ((a1, "INC1", at(2)), (a1, "INC2", at(3)), (a2, "INC3", at(4))):
        use = ArticleUse.objects.create(article=target, task_number=ticket, user=agent)
        ArticleUse.objects.filter(pk=use.pk).update(created_at=when)
    ReviewTask.objects.create(article=a2, reason="flagged_outdated", assignee=knowledge_manager)
    ReviewTask.objects.create(article=a2, reason="flagged_outdated", assignee=knowledge_manager)
    ReviewTask.objects.create(article=a1, reason="flagged_outdated", state="done", assignee=agent)
    ReviewTask.objects.create(article=a1, reason="review_due", assignee=agent)
    incident(opened=at(2), assignment_group=team)
    incident(opened=datetime(2026, 2, 28, 23, 30, tzinfo=UTC))
    incident(opened=LATE_EVENING_7TH)
    parent = Request.objects.create(
        opened_by=requester,
        number=next_number(TaskKind.REQUEST),
        kind=TaskKind.REQUEST,
        title="Order",
        state="submitted",
        requester=requester,
    )
    stamp(parent, opened_at=at(5))
    return {"a1": a1, "a2": a2, "a3": a3, "team": team}


def test_knowledge_figures(knowledge, manager):
    board = knowledge_board.build(scope(manager))
    f = figures(board)
    # 2 deflections in the period (the third is on 8 March in Paris) vs 3 tickets (2 incidents, 1 request)
    assert (f["deflection_rate"].metric, f["deflection_rate"].value) == (40.0, "40.0 %")
    assert f["used"].value == 3
    assert f["flagged"].value == 1  # KB2 (KB1's flag is done; a review date is not a flag)
    assert table(board, "most_viewed") == [("KB2 Article KB2", 80), ("KB1 Article KB1", 50)]  # not the draft
    assert table(board, "most_helpful") == [("KB1 Article KB1", 5, 1)]
    assert table(board, "flagged") == [("KB2 Article KB2", 2)]
    assert table(board, "used_in_resolutions") == [("KB1 Article KB1", 2), ("KB2 Article KB2", 1)]
    assert board.ignored_filters == ("priority",)


def test_knowledge_team_filter_means_articles_owned_by_its_members(knowledge, manager):
    f = figures(knowledge_board.build(scope(manager, teams=(knowledge["team"].pk,))))
    assert f["deflection_rate"].metric == 50.0  # KB1's one deflection vs the team's one incident
    assert (f["used"].value, f["flagged"].value) == (2, 0)


def test_knowledge_drill_downs(knowledge, manager):
    s = scope(manager)
    assert set(knowledge_board.records(s, "flagged", "").queryset.values_list("number", flat=True)) == {"KB2"}
    assert knowledge_board.records(s, "deflections", "").queryset.count() == 2
    uses = knowledge_board.records(s, "uses", str(knowledge["a1"].pk)).queryset
    assert set(uses.values_list("task_number", flat=True)) == {"INC1", "INC2"}
    assert knowledge_board.records(s, "uses", "x") is None


# --- The Requests board from its daily rollup (catalog.rollups) -------------------------------
#
# Days are cut in Paris here, so the period 1–7 March is whole rollup days and the board reads the
# rollup; r4 (23:30 UTC on 6 March) is on 7 March and r6 (23:30 UTC on 7 March) on 8 March.

ROLLUP_NOW = datetime(2026, 3, 9, 12, 0, tzinfo=UTC)  # after every record of the data set


@pytest.fixture(name="paris")
def paris_fixture(settings):
    settings.TIME_ZONE = "Europe/Paris"
    with timezone.override("Europe/Paris"):
        yield


@pytest.fixture
def rolled(paris, requests, team):
    """The request data with r1 and r3 in the team, r3 on a service at P1, then the rollup built."""
    service = ServiceFactory()
    stamp(requests["r1"], assignment_group_id=team.pk)
    stamp(requests["r3"], assignment_group_id=team.pk, service_id=service.pk, priority=1)
    Task.objects.update(updated_at=ROLLUP_NOW - timedelta(days=1))  # nothing touched since the build
    catalog_rollups.rebuild(now=ROLLUP_NOW)
    return {**requests, "team": team, "service": service}


def _comparable(counts: request_board.Counts) -> tuple:
    groups = sorted(
        (
            row["catalog_item_id"],
            row["requested"],
            row["fulfilled"],
            row["on_time"],
            round(row["fulfil_seconds"]),
        )
        for row in counts.groups
        if row["requested"] or row["fulfilled"]
    )
    return groups, counts.decided, round(counts.approval_seconds)


def _day(day: int):
    start = datetime(2026, 3, day, tzinfo=ZoneInfo("Europe/Paris"))
    return {"start": start, "end": start + timedelta(days=1)}


def test_rollup_board_gives_the_hand_computed_figures(rolled, manager):
    board = request_board.build(scope(manager))
    f = figures(board)
    assert board.freshness.startswith("Figures up to 9 Mar 2026, 13:00, refreshed every 5 min")
    assert (f["requested"].value, f["fulfilled"].value, f["late"].value) == (4, 4, 2)
    assert f["delivery_sla"].metric == 50.0
    assert f["fulfilment_time"].metric == 92.5
    assert f["approval_time"].metric == 3.0
    assert table(board, "volume_by_item") == [("Laptop", 2, 3, 120.0, 33.3), ("Phone", 2, 1, 10.0, 100.0)]


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"teams": "team"},
        {"teams": "none"},
        {"service": True},
        {"priority": 1},
        {"priority": 3},
        _day(7),  # r4 only (23:30 UTC on the 6th)
        _day(8),  # r6 only, outside the fixed period
        _day(1),  # r2 opened, r5 fulfilled, r5's approval not (decided in February)
        {"start": datetime(2026, 2, 20, tzinfo=ZoneInfo("Europe/Paris"))},
    ],
)
def test_rollup_equals_live_computation(rolled, manager, fields):
    fields = dict(fields)
    if fields.get("teams") == "team":
        fields["teams"] = (rolled["team"].pk,)
    elif fields.get("teams") == "none":
        fields["teams"] = (rolled["team"].pk + 1000,)
    if fields.get("service"):
        fields["service"] = rolled["service"].pk
    s = replace(scope(manager), **fields)
    from_rollup = request_board._from_rollup(s)
    assert from_rollup is not None
    assert _comparable(from_rollup) == _comparable(request_board._live(s))


def test_team_filter_on_the_rollup_counts_the_teams_items(rolled, manager):
    f = figures(request_board.build(scope(manager, teams=(rolled["team"].pk,))))
    assert (f["requested"].value, f["fulfilled"].value, f["delivery_sla"].metric) == (2, 2, 100.0)
    assert f["approval_time"].metric == 3.0  # both decisions are on the team's items


def test_day_boundaries_follow_the_service_desk_zone(rolled, manager):
    seventh = request_board.build(replace(scope(manager), **_day(7)))
    assert figures(seventh)["requested"].value == 1  # r4, opened 23:30 UTC on 6 March
    assert table(seventh, "volume_by_item") == [("Phone", 1, 0, None, None)]


def test_live_when_the_rollup_cannot_answer_exactly(rolled, manager, agent):
    part_day = replace(scope(manager), end=datetime(2026, 3, 7, 12, 0, tzinfo=UTC))
    assert request_board._from_rollup(part_day) is None
    assert request_board.build(part_day).freshness == "Figures computed live."
    assert request_board._from_rollup(scope(agent)) is not None  # staff see every item
    requester = rolled["r1"].requester
    assert request_board._from_rollup(scope(requester)) is None  # the rollup holds no visibility


def test_live_before_the_first_build_and_after_a_zone_change(paris, requests, manager, settings):
    assert request_board.build(scope(manager)).freshness == "Figures computed live."
    catalog_rollups.rebuild(now=ROLLUP_NOW)
    settings.TIME_ZONE = "UTC"
    with timezone.override("UTC"):
        start = datetime(2026, 3, 1, tzinfo=UTC)
        utc_days = replace(scope(manager), start=start, end=start + timedelta(days=7))
        assert request_board._from_rollup(utc_days) is None


def test_rollup_board_reads_a_constant_number_of_queries(rolled, manager, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):  # roles, freshness, grouped rollup rows, item names
        request_board.build(scope(manager))


def test_refresh_recomputes_the_days_touched_since_the_last_run(rolled, manager):
    later = ROLLUP_NOW + timedelta(hours=1)
    r2, r6 = rolled["r2"], rolled["r6"]
    # r2 moves to the team; r6 (opened 8 March in Paris) is recorded as fulfilled on 6 March
    Task.objects.filter(pk=r2.pk).update(assignment_group_id=rolled["team"].pk, updated_at=later)
    Task.objects.filter(pk=r6.pk).update(
        state="fulfilled", state_category=StateCategory.RESOLVED, resolved_at=at(6), updated_at=later
    )
    team_scope = scope(manager, teams=(rolled["team"].pk,))
    assert figures(request_board.build(team_scope))["requested"].value == 2  # not refreshed yet
    days = catalog_rollups.refresh(now=later + timedelta(minutes=1))
    assert days == 5  # today (9 March); r2 opened 1 and fulfilled 5 March; r6 opened 8, fulfilled 6 March
    assert figures(request_board.build(team_scope))["requested"].value == 3
    for s in (scope(manager), team_scope, replace(scope(manager), **_day(8))):
        assert _comparable(request_board._from_rollup(s)) == _comparable(request_board._live(s))
    state = RequestRollupState.objects.get()
    assert (state.refreshed_at, state.days_last_run) == (later + timedelta(minutes=1), 5)


def test_refresh_without_state_rebuilds(paris, requests):
    assert catalog_rollups.refresh(now=ROLLUP_NOW) >= 16  # from r5's order on 20 February
    assert RequestRollupState.objects.get().rebuilt_at == ROLLUP_NOW


def test_beat_refreshes_the_rollup_on_the_overview_cadence(settings, paris, requests):
    entry = settings.CELERY_BEAT_SCHEDULE["catalog.refresh_request_rollups"]
    overview = settings.CELERY_BEAT_SCHEDULE["dashboards.refresh_rollups"]
    assert (entry["task"], entry["schedule"]) == ("catalog.refresh_request_rollups", overview["schedule"])
    assert refresh_request_rollups() >= 16
    assert RequestItemDay.objects.filter(day=date(2026, 3, 7)).exists()


def test_rebuild_command(paris, requests):
    out = io.StringIO()
    call_command("rebuild_request_rollups", stdout=out)
    assert "days of the request rollup" in out.getvalue()
    assert RequestItemDay.objects.aggregate(total=Sum("requested"))["total"] == 6


def test_page_says_how_fresh_the_figures_are(rolled, client_for, manager):
    url = reverse("dashboards:practice", args=["requests"])
    response = client_for(manager).get(url, {"period": "custom", "start": "2026-03-01", "end": "2026-03-07"})
    assert response.status_code == 200
    assert "Figures up to 9 Mar 2026, 13:00, refreshed every 5 min" in response.content.decode()


def test_drill_downs_stay_live_and_match_the_rollup_figures(rolled, manager):
    s = scope(manager, teams=(rolled["team"].pk,))
    board = request_board.build(s)
    for figure in board.figures:
        if figure.key in {"requested", "fulfilled", "late"}:
            assert request_board.records(s, figure.segment, "").queryset.count() == figure.value
    r1, r3 = rolled["r1"].number, rolled["r3"].number
    assert numbers(request_board.records(s, "on_time", "")) == {r1, r3}


@pytest.mark.parametrize(
    "key", ["requested", "fulfilled", "delivery_sla", "late", "fulfilment_time", "approval_time"]
)
def test_one_metric_equals_the_boards_figure_and_runs_only_its_query(rolled, manager, key):
    """The improvement register's before/after chart asks for one figure over periods that are not
    whole days: it is computed live, with only the query that figure needs."""
    part_days = replace(scope(manager), end=datetime(2026, 3, 7, 12, 0, tzinfo=UTC))
    for s in (scope(manager), part_days, scope(manager, teams=(rolled["team"].pk,))):
        assert registry.metric_value(f"requests.{key}", s) == figures(request_board.build(s))[key].metric
    with CaptureQueriesContext(connection) as queries:
        registry.metric_value(f"requests.{key}", part_days)
    sql = " ".join(query["sql"] for query in queries.captured_queries)
    assert ("approvals_approvalplan" in sql) == (key == "approval_time")
    assert ("catalog_catalogitem" in sql) == (key != "approval_time")
    assert registry.metric_value("requests.no_such_figure", part_days) is None


def test_drill_down_lists_the_items_with_their_catalog_item(rolled, client_for, manager):
    """The list is read from tasks (so its count needs no join to every item row) and still shows
    each item's catalog item, page and CSV alike."""
    client = client_for(manager)
    query = {"period": "custom", "start": "2026-03-01", "end": "2026-03-07", "team": rolled["team"].pk}
    page = client.get(reverse("dashboards:practice_records", args=["requests", "on_time"]), query)
    assert page.status_code == 200
    body = page.content.decode()
    assert rolled["r1"].number in body and rolled["r3"].number in body and rolled["r2"].number not in body
    assert "Laptop" in body and "Phone" in body
    csv_url = reverse("dashboards:practice_records_csv", args=["requests", "on_time"])
    lines = b"".join(client.get(csv_url, query).streaming_content).decode().splitlines()
    assert lines[0].startswith("Number,Title,Catalog item,State")
    assert sorted(line.split(",")[2] for line in lines[1:]) == ["Laptop", "Phone"]
