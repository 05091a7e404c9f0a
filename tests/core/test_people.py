import pytest
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils import timezone, translation

from itsm.core.middleware import UserPreferencesMiddleware
from itsm.core.models import Profile
from tests.factories import UserFactory


@pytest.mark.django_db
def test_every_user_gets_a_profile_however_created():
    user = UserFactory(username="new.person")
    assert Profile.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_unknown_time_zone_is_a_field_error(requester):
    requester.profile.time_zone = "Mars/Olympus"
    with pytest.raises(ValidationError) as excinfo:
        requester.profile.full_clean()
    assert "time_zone" in excinfo.value.message_dict


@pytest.mark.django_db
def test_requests_use_the_profile_time_zone_and_language(rf, requester):
    # given
    requester.profile.time_zone = "Asia/Tokyo"
    requester.profile.language = "de"
    requester.profile.save()
    request = rf.get("/")
    request.user = requester
    seen = {}

    def view(request):
        seen["zone"] = timezone.get_current_timezone_name()
        seen["language"] = translation.get_language()
        return HttpResponse()

    # when
    UserPreferencesMiddleware(view)(request)
    # then
    assert seen == {"zone": "Asia/Tokyo", "language": "de"}


@pytest.mark.django_db
def test_without_preferences_the_site_defaults_apply(rf, requester, settings):
    request = rf.get("/")
    request.user = requester
    seen = {}

    def view(request):
        seen["zone"] = timezone.get_current_timezone_name()
        return HttpResponse()

    UserPreferencesMiddleware(view)(request)
    assert seen == {"zone": settings.TIME_ZONE}
