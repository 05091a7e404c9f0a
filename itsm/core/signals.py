"""The one signal the core uses: every user gets a profile, however the user was created.

Timeline entries are never written here; services write them.
"""

from django.conf import settings
from django.db.models.signals import post_save
from django.dispatch import receiver

from itsm.core.models import Profile


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="core.create_profile")
def create_profile(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw:
        Profile.objects.get_or_create(user=instance)
