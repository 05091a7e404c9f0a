"""A supplier engagement from end to end in headless Chromium: an agent engages the supplier covering
an incident's service, records the supplier's response, and ends the engagement.

Screenshots go to var/screenshots/supplier-*.png (desktop and phone width).
"""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from incidents.services import create_incident, start_incident
from itsm.sla.services import create_calendar
from itsm.sla.services.calendars import full_day_windows
from suppliers import services
from suppliers.models import Supplier, SupplierEngagement
from tests.e2e.test_incident_flow import sign_in
from tests.factories import ConfigurationItemFactory, ServiceFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def covered_incident(personas):
    manager, agent = personas["manager"], personas["agent"]
    mail = ServiceFactory(name="E-mail")
    supplier = services.create_supplier(
        actor=manager, name="Fabrikam Cloud Mail", escalation_email="support@fabrikam.example"
    )
    today = date.today()
    services.create_contract(
        actor=manager,
        supplier=supplier,
        reference="FB-SAAS-0091",
        start_date=today - timedelta(days=30),
        end_date=today + timedelta(days=300),
        support_hours=create_calendar(name="24x7", time_zone="UTC", windows=full_day_windows()),
        response_time=timedelta(hours=2),
        resolution_time=timedelta(hours=12),
        services=[mail],
    )
    incident = create_incident(actor=personas["requester"], title="Mail delivery delayed", service=mail)
    return start_incident(incident, actor=agent)


@pytest.mark.parametrize(
    "viewport", [{"width": 1280, "height": 900}, {"width": 390, "height": 844}], ids=["desktop", "phone"]
)
def test_an_agent_engages_a_supplier_and_ends_the_engagement(
    personas, covered_incident, live_server, browser_context, screenshot_dir, viewport
):
    base = live_server.url
    tag = "phone" if viewport["width"] < 600 else "desktop"
    context, watch = browser_context(viewport=viewport)
    page = context.new_page()
    sign_in(page, base, personas["agent"].username)
    page.goto(f"{base}{reverse('incident:detail', args=[covered_incident.pk])}")
    panel = page.locator("#supplier-panel")
    panel.get_by_text("Engage Fabrikam Cloud Mail").click()

    # --- engage ---------------------------------------------------------------------------------
    panel.get_by_label("Supplier's reference").first.fill("FAB-2291")
    panel.get_by_label("Reason").first.fill("Outbound mail queues at the provider; please investigate.")
    panel.locator("[data-engage-form] button[type=submit]").click()
    engagement = page.locator("#supplier-panel .engagement", has_text="Awaiting supplier")
    engagement.wait_for()
    assert "FAB-2291" in engagement.inner_text()
    assert "On hold" in page.locator("main").inner_text()
    assert "Underpinning contract targets" in engagement.inner_text()
    engagement.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / f"supplier-engaged-{tag}.png"), full_page=False)

    # --- the supplier responds --------------------------------------------------------------------
    engagement.get_by_label("Note").fill("Fabrikam confirmed the queue and is draining it.")
    engagement.get_by_role("button", name="Supplier responded").click()
    panel.locator(".message-success").wait_for()
    assert "Supplier responded" in panel.locator(".engagement").inner_text()
    panel.locator(".engagement").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / f"supplier-responded-{tag}.png"), full_page=False)

    # --- end the engagement: the incident is back in progress ------------------------------------
    panel.locator(".engagement").get_by_role("button", name="End engagement").click()
    page.locator("#supplier-panel .engagement", has_text="Withdrawn").wait_for()
    assert "In progress" in page.locator("main").inner_text()
    page.screenshot(path=str(screenshot_dir / f"supplier-ended-{tag}.png"), full_page=True)
    engagement_row = SupplierEngagement.objects.get(record=covered_incident)
    assert engagement_row.state == "withdrawn" and engagement_row.responded_at is not None
    watch.assert_clean()


def test_a_manager_reviews_a_supplier_its_contract_and_imports_contracts(
    personas, covered_incident, live_server, browser_context, screenshot_dir, tmp_path
):
    base = live_server.url
    context, watch = browser_context()
    page = context.new_page()
    sign_in(page, base, personas["manager"].username)
    page.goto(f"{base}{reverse('suppliers:list')}")
    page.get_by_role("link", name="Fabrikam Cloud Mail").click()
    assert "Performance" in page.locator("main").inner_text()
    page.screenshot(path=str(screenshot_dir / "supplier-page-manager.png"), full_page=True)
    page.get_by_role("link", name="FB-SAAS-0091").first.click()
    assert (
        "Documents" in page.locator("main").inner_text()
        and "Change history" in page.locator("main").inner_text()
    )
    page.screenshot(path=str(screenshot_dir / "supplier-contract-manager.png"), full_page=True)

    # --- a CI whose hardware contract has expired -------------------------------------------------
    server = ConfigurationItemFactory(name="mail-gw-01")
    services.create_contract(
        actor=personas["manager"],
        supplier=Supplier.objects.get(name="Fabrikam Cloud Mail"),
        reference="FB-HW-2019",
        start_date=date(2019, 1, 1),
        end_date=date(2021, 12, 31),
        configuration_items=[server],
    )
    page.goto(f"{base}{reverse('cmdb:ci-detail', args=[server.pk])}")
    card = page.locator("#ci-supplier-panel")
    card.wait_for()
    assert "FB-HW-2019" in card.inner_text() and "expired" in card.inner_text()
    card.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / "supplier-ci-expired.png"), full_page=False)

    page.goto(f"{base}{reverse('suppliers:list')}")
    page.get_by_role("link", name="Import contracts").click()
    csv_file = tmp_path / "contracts.csv"
    csv_file.write_text(
        "reference,supplier,start_date,end_date\n"
        "FB-NEW-1,Fabrikam Cloud Mail,2026-01-01,2026-12-31\n"
        "FB-NEW-2,Unknown Ltd,2026-01-01,2025-01-01\n"
    )
    page.get_by_label("CSV file").set_input_files(str(csv_file))
    page.get_by_role("button", name="Check (dry run)").click()
    report = page.locator("main").inner_text()
    assert "1 row can be imported" in report and "Unknown Ltd" in report and "end date" in report
    page.screenshot(path=str(screenshot_dir / "supplier-import-report.png"), full_page=True)
    watch.assert_clean()
