"""Saving and removing personal views of list pages."""

from urllib.parse import parse_qsl, urlencode, urlsplit

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from itsm.core.models import SavedView

MAX_VIEWS_PER_PERSON = 50
#: Paging parameters: a saved view always opens on its first page.
PAGING_PARAMETERS = frozenset({"cursor", "page", "before", "after"})


def save_view(owner: User, *, name: str, path: str, query: str) -> SavedView:
    """Remember `path?query` under `name` for `owner` (a local path only: never a redirect elsewhere)."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": "Give the view a name."})
    parts = urlsplit(path)
    if parts.scheme or parts.netloc or not path.startswith("/") or path.startswith("//"):
        raise ValidationError({"path": "Only pages of this site can be saved."})
    if owner.saved_views.count() >= MAX_VIEWS_PER_PERSON:
        raise ValidationError(
            {"name": f"You can keep at most {MAX_VIEWS_PER_PERSON} saved views; remove one first."}
        )
    kept = [
        (key, value)
        for key, value in parse_qsl(query, keep_blank_values=False)
        if key not in PAGING_PARAMETERS
    ]
    try:
        with transaction.atomic():
            return SavedView.objects.create(
                owner=owner, name=name[:80], path=parts.path, query=urlencode(kept)[:1000]
            )
    except IntegrityError:
        raise ValidationError({"name": f"You already have a view called “{name}”."}) from None


def delete_view(owner: User, view_id: int) -> bool:
    """Remove one of the owner's views; False when there was none (someone else's id is never touched)."""
    deleted, _ = SavedView.objects.filter(owner=owner, pk=view_id).delete()
    return bool(deleted)


def views_for(owner: User, path_prefix: str) -> list[SavedView]:
    """The owner's views of pages under `path_prefix`, by name (one query)."""
    return list(SavedView.objects.filter(owner=owner, path__startswith=path_prefix))
