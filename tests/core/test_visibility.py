import pytest

from itsm.core.choices import TaskKind
from itsm.core.models import Task
from itsm.core.querysets import END_USER_KINDS
from tests.factories import OrganisationFactory, TaskFactory, UserFactory


@pytest.mark.django_db
class TestTaskVisibility:
    def test_requester_sees_own_and_watched_records_only(self, requester, other_requester):
        # given
        own = TaskFactory(requester=requester)
        watched = TaskFactory(requester=other_requester)
        watched.watchers.add(requester)
        TaskFactory(requester=other_requester)
        # when
        visible = set(Task.objects.visible_to(requester))
        # then
        assert visible == {own, watched}

    def test_sharing_organisation_shows_colleagues_records(self, requester, other_requester):
        # given
        finance = OrganisationFactory(name="Finance", share_records=True)
        for user in (requester, other_requester):
            user.profile.organisation = finance
            user.profile.save()
        colleagues = TaskFactory(requester=other_requester)
        outsider = TaskFactory()
        # when
        visible = set(Task.objects.visible_to(requester))
        # then
        assert colleagues in visible and outsider not in visible

    def test_organisation_not_sharing_keeps_records_private(self, requester, other_requester):
        hr = OrganisationFactory(name="HR", share_records=False)
        for user in (requester, other_requester):
            user.profile.organisation = hr
            user.profile.save()
        TaskFactory(requester=other_requester)
        assert not Task.objects.visible_to(requester).exists()

    def test_watching_twice_does_not_duplicate_rows(self, requester, agent):
        task = TaskFactory(requester=requester)
        task.watchers.add(requester, agent)
        assert Task.objects.visible_to(requester).count() == 1

    @pytest.mark.parametrize(
        "persona", ["agent", "manager", "change_manager", "knowledge_manager", "admin_user"]
    )
    def test_staff_roles_see_every_record(self, persona, request):
        TaskFactory.create_batch(3)
        user = request.getfixturevalue(persona)
        assert Task.objects.visible_to(user).count() == 3

    def test_anonymous_and_inactive_users_see_nothing(self, requester):
        from django.contrib.auth.models import AnonymousUser

        TaskFactory(requester=requester)
        requester.is_active = False
        assert not Task.objects.visible_to(AnonymousUser()).exists()
        assert not Task.objects.visible_to(requester).exists()

    def test_user_without_any_role_sees_only_own_records(self):
        nobody = UserFactory(username="no.role")
        TaskFactory()
        own = TaskFactory(requester=nobody)
        assert list(Task.objects.visible_to(nobody)) == [own]


class TestInternalKinds:
    """Problems, changes and their tasks are internal work: no requester sees them through the
    platform's rule, even when named as requester or watcher, or through a sharing organisation."""

    @pytest.mark.parametrize(
        "kind",
        [
            TaskKind.PROBLEM,
            TaskKind.PROBLEM_TASK,
            TaskKind.CHANGE,
            TaskKind.CHANGE_TASK,
            TaskKind.FULFILMENT_TASK,
        ],
    )
    def test_requesters_never_see_internal_kinds(self, kind, requester, other_requester):
        # given: the requester raised one, watches one, and a colleague in a sharing organisation raised one
        finance = OrganisationFactory(name="Finance", share_records=True)
        for user in (requester, other_requester):
            user.profile.organisation = finance
            user.profile.save()
        TaskFactory(kind=kind, requester=requester)
        TaskFactory(kind=kind, requester=other_requester).watchers.add(requester)
        incident = TaskFactory(kind=TaskKind.INCIDENT, requester=other_requester)
        # when / then
        assert set(Task.objects.visible_to(requester)) == {incident}

    @pytest.mark.parametrize("kind", END_USER_KINDS)
    def test_requesters_see_their_own_records_of_end_user_kinds(self, kind, requester):
        task = TaskFactory(kind=kind, requester=requester)
        assert list(Task.objects.visible_to(requester)) == [task]
