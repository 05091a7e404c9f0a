"""factory-boy factories for the platform's models."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from itsm.cmdb.choices import CIClass
from itsm.cmdb.models import ConfigurationItem, Service
from itsm.core.choices import StateCategory, TaskKind
from itsm.core.models import Organisation, Task, Team
from itsm.core.services.numbering import next_number

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            # get_or_create: transactional tests flush the groups the data migration made.
            self.groups.add(*(Group.objects.get_or_create(name=name)[0] for name in extracted))
        if create:
            self.save()


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Team {n}")
    email = factory.LazyAttribute(lambda t: f"{t.name.lower().replace(' ', '-')}@example.org")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    name = factory.Sequence(lambda n: f"Service {n}")


class ConfigurationItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConfigurationItem

    name = factory.Sequence(lambda n: f"ci-{n:05d}")
    ci_class = CIClass.SERVER


class TaskFactory(factory.django.DjangoModelFactory):
    """A bare Task row, as the practice apps' services would create one."""

    class Meta:
        model = Task

    kind = TaskKind.INCIDENT
    number = factory.LazyAttribute(lambda t: next_number(t.kind))
    title = factory.Sequence(lambda n: f"Something is broken #{n}")
    state = "new"
    state_category = StateCategory.NEW
    requester = factory.SubFactory(UserFactory, roles=["requester"])
