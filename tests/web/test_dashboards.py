"""The manager dashboard: figures, and links from each figure to the records behind it."""

from django.urls import reverse
from django.utils.html import escape

from itsm.cmdb.choices import OperationalStatus
from itsm.core.choices import Priority, StateCategory, TaskKind
from tests.factories import ServiceFactory, TaskFactory

URL = reverse("dashboards:home")


def kpi_value(html: str, label: str) -> str:
    end = html.index(f'<span class="kpi-label">{label}</span>')
    start = html.rindex('<span class="kpi-value">', 0, end) + len('<span class="kpi-value">')
    return html[start : html.index("</span>", start)]


def test_dashboard_counts_the_open_backlog(client_for, manager, agent, team):
    # given
    TaskFactory(priority=Priority.CRITICAL)
    TaskFactory(priority=Priority.HIGH, assignee=agent, assignment_group=team)
    TaskFactory(kind=TaskKind.CHANGE, state="pending", state_category=StateCategory.PENDING)
    TaskFactory(state="closed", state_category=StateCategory.CLOSED)

    # when
    html = client_for(manager).get(URL).content.decode()

    # then
    assert kpi_value(html, "Open backlog") == "3"
    assert kpi_value(html, "Critical and high") == "2"
    assert kpi_value(html, "Unassigned") == "2"
    assert kpi_value(html, "Pending") == "1"
    assert "Service Desk" in html


def test_figures_link_to_the_filtered_workspace(client_for, manager, agent):
    # given
    TaskFactory(priority=Priority.CRITICAL)
    TaskFactory(priority=Priority.LOW)
    link = "/work/?state_category=new&state_category=open&state_category=pending&priority=1"
    html = client_for(manager).get(URL).content.decode()

    # when: the manager follows the P1 figure
    listed = client_for(manager).get(link).content.decode()

    # then
    assert escape(link) + "#all-records" in html
    assert "1 record" in listed


def test_dashboard_lists_services_not_operational(client_for, manager):
    # given
    payroll = ServiceFactory(name="Payroll", operational_status=OperationalStatus.PARTIAL_OUTAGE)
    ServiceFactory(name="E-mail")
    TaskFactory(service=payroll)

    # when
    html = client_for(manager).get(URL).content.decode()

    # then
    services = html[html.index("services-heading") :]
    assert "Payroll" in services and "Partial outage" in services
    assert "E-mail" not in services
    assert f"service={payroll.pk}" in services


def test_dashboard_empty_state(client_for, admin_user):
    # when
    html = client_for(admin_user).get(URL).content.decode()

    # then
    assert kpi_value(html, "Open backlog") == "0"
    assert "Every service is operational" in html


def test_dashboard_query_count_is_constant(client_for, manager, django_assert_max_num_queries):
    # given
    for number in range(30):
        TaskFactory(priority=1 + number % 5, kind=TaskKind.values[number % 4])
    client = client_for(manager)

    # when / then
    # The backlog tiles and open incidents (one grouped query each), the rollup figures, SLA compliance,
    # medians, top CIs, the names they need, freshness and the filter's lists; PostgreSQL adds the
    # medians' savepoint and SET LOCAL (tests/dashboards/test_overview*.py budget the same page).
    with django_assert_max_num_queries(29):
        assert client.get(URL).status_code == 200
