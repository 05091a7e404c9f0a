"""Saved personal views: named list pages with their filters, private to their owner."""

import pytest
from django.core.exceptions import ValidationError

from itsm.core.models import SavedView
from itsm.core.services.saved_views import delete_view, save_view


@pytest.mark.django_db
class TestService:
    def test_paging_is_dropped_and_filters_kept(self, agent):
        view = save_view(
            agent, name=" P1  open ", path="/incidents/queues/open/", query="priority=1&cursor=abc&q=vpn"
        )
        assert (view.name, view.url) == ("P1 open", "/incidents/queues/open/?priority=1&q=vpn")

    @pytest.mark.parametrize(
        "path", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", "relative/"]
    )
    def test_only_local_pages(self, agent, path):
        with pytest.raises(ValidationError, match="Only pages of this site"):
            save_view(agent, name="x", path=path, query="")

    def test_names_are_required_and_unique_per_person(self, agent, manager):
        save_view(agent, name="Mine", path="/incidents/", query="")
        with pytest.raises(ValidationError, match="already have"):
            save_view(agent, name="Mine", path="/incidents/", query="")
        with pytest.raises(ValidationError, match="name"):
            save_view(agent, name="   ", path="/incidents/", query="")
        assert save_view(manager, name="Mine", path="/incidents/", query="").owner == manager

    def test_nobody_deletes_someone_elses_view(self, agent, manager):
        view = save_view(agent, name="Mine", path="/incidents/", query="")
        assert delete_view(manager, view.pk) is False
        assert delete_view(agent, view.pk) is True
        assert not SavedView.objects.exists()


@pytest.mark.django_db
class TestPages:
    def test_save_from_the_queue_and_find_it_in_the_sidebar(self, client, agent):
        client.force_login(agent)
        response = client.post(
            "/views/save/", {"name": "Network P1", "path": "/incidents/queues/open/", "query": "priority=1"}
        )
        assert response.status_code == 302 and response["Location"] == "/incidents/queues/open/?priority=1"
        sidebar = client.get("/incidents/queues/open/").content.decode()
        assert "Network P1" in sidebar and 'href="/incidents/queues/open/?priority=1"' in sidebar

    def test_a_bad_save_returns_with_a_message_not_an_error(self, client, agent):
        client.force_login(agent)
        response = client.post("/views/save/", {"name": "", "path": "/incidents/", "query": ""}, follow=True)
        assert response.status_code == 200 and "Give the view a name" in response.content.decode()

    def test_views_are_private(self, client, agent, manager):
        view = save_view(agent, name="Secret filter", path="/incidents/queues/open/", query="q=x")
        client.force_login(manager)
        assert "Secret filter" not in client.get("/incidents/queues/open/").content.decode()
        client.post(f"/views/{view.pk}/delete/", {"next": "/incidents/"})
        assert SavedView.objects.filter(pk=view.pk).exists()

    def test_anonymous_cannot_save(self, client):
        response = client.post("/views/save/", {"name": "x", "path": "/incidents/", "query": ""})
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
