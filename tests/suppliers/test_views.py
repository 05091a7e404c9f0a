"""Supplier pages and the record page panel: staff only, values for managers only, text escaped."""

from datetime import date
from unittest import mock

import pytest
from django.urls import reverse

from suppliers import services
from tests.factories import TaskFactory

IN_TERM = date(2026, 6, 1)


@pytest.fixture
def task(service, requester):
    return TaskFactory(service=service, requester=requester)


def test_supplier_page_shows_value_to_managers_only(client, agent, manager, contract, supplier):
    url = reverse("suppliers:detail", args=[supplier.pk])
    client.force_login(agent)
    page = client.get(url).content.decode()
    assert "ACME-001" in page and "12000" not in page
    client.force_login(manager)
    assert "12000.00 EUR" in client.get(url).content.decode()


def test_requesters_get_no_supplier_pages(client, requester, supplier, task):
    client.force_login(requester)
    assert client.get(reverse("suppliers:list")).status_code == 403
    assert client.get(reverse("suppliers:detail", args=[supplier.pk])).status_code == 403
    assert client.get(reverse("suppliers:for-task", args=[task.pk])).status_code == 403


def test_unknown_ids_are_404(client, agent):
    client.force_login(agent)
    assert client.get(reverse("suppliers:detail", args=[99999])).status_code == 404
    assert client.get("/suppliers/for-task/99999999999999999999999/").status_code == 404


def test_task_panel_lists_covering_contracts_with_contacts(client, agent, contract, task):
    client.force_login(agent)
    with mock.patch("suppliers.services.timezone.localdate", return_value=IN_TERM):
        page = client.get(reverse("suppliers:for-task", args=[task.pk])).content.decode()
    assert "Acme Hosting" in page and "ACME-001" in page and "noc@acme.example" in page
    assert "1h" in page and "12000" not in page


def test_supplier_text_is_escaped(client, manager, supplier):
    services.update_supplier(supplier, actor=manager, contacts="<script>alert(1)</script>")
    client.force_login(manager)
    page = client.get(reverse("suppliers:detail", args=[supplier.pk])).content.decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page
