"""Request and knowledge boards: each figure against a hand-computed expectation on fixed data.

Period: 1–7 March 2026 in Paris (see practice_data). Records at 23:30 UTC on 6 March fall on
7 March in Paris (counted), those at 23:30 UTC on 7 March on 8 March (not counted).
"""

from datetime import UTC, datetime, timedelta

import pytest

from catalog import dashboard as request_board
from catalog.models import CatalogItem, Category, ItemVersion, Request, RequestItem
from itsm.approvals.models import ApprovalPlan
from itsm.core.choices import StateCategory, TaskKind
from itsm.core.services.numbering import next_number
from knowledge import dashboard as knowledge_board
from knowledge.models import Article, ArticleUse, Deflection, KnowledgeBase, ReviewTask
from tests.dashboards.practice_data import at, incident, scope, stamp
from tests.dashboards.test_practice_problems_changes import figures, numbers, table

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
