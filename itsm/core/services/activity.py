"""Comments, work notes, links and attachments on any task."""

import hashlib

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction

from itsm.core import roles
from itsm.core.choices import LinkKind, TimelineKind
from itsm.core.exceptions import PermissionDenied
from itsm.core.models import Attachment, Task, TaskLink, TimelineEntry
from itsm.core.services.timeline import record_event
from itsm.core.uploads import safe_filename, stored_content_type, validate_upload


def add_comment(task: Task, *, actor: User, body: str, is_public: bool = True) -> TimelineEntry:
    """A public comment (requester sees it) or a work note (agents only)."""
    body = body.strip()
    if not body:
        raise ValidationError({"body": "Write something before sending."})
    if not is_public and not roles.is_staff_member(actor):
        raise PermissionDenied("Only agents can add work notes.")
    _require_visible(task, actor)
    kind = TimelineKind.COMMENT if is_public else TimelineKind.WORK_NOTE
    action = "task.comment_added" if is_public else "task.work_note_added"
    with transaction.atomic():
        return record_event(task, action, actor=actor, kind=kind, body=body, is_public=is_public)


def set_watching(task: Task, *, actor: User, watching: bool) -> bool:
    """Start or stop watching a task (watchers hear about public replies); True if it changed.

    Anyone who can see the task may watch it; the change is written to the timeline.
    """
    _require_visible(task, actor)
    with transaction.atomic():
        already = task.watchers.filter(pk=actor.pk).exists()
        if already == watching:
            return False
        if watching:
            task.watchers.add(actor)
        else:
            task.watchers.remove(actor)
        action = "task.watch_started" if watching else "task.watch_stopped"
        record_event(task, action, actor=actor)
    return True


def link_tasks(source: Task, target: Task, kind: str, *, actor: User) -> TaskLink:
    """Link two tasks; the link shows on both timelines."""
    if kind not in LinkKind.values:
        raise ValidationError({"kind": f"Unknown link type {kind!r}."})
    if source.pk == target.pk:
        raise ValidationError({"target": "A record cannot be linked to itself."})
    if not roles.is_staff_member(actor):
        raise PermissionDenied("Only agents can link records.")
    label = LinkKind(kind).label.lower()
    try:
        with transaction.atomic():
            link = TaskLink.objects.create(source=source, target=target, kind=kind, created_by=actor)
            record_event(source, "task.linked", actor=actor, body=f"{label} {target.number}")
            record_event(target, "task.linked", actor=actor, body=f"{source.number} is {label} this")
    except IntegrityError:
        raise ValidationError({"target": f"{source.number} is already {label} {target.number}."}) from None
    return link


def unlink_tasks(link: TaskLink, *, actor: User) -> None:
    """Remove a link; like linking, it shows on both timelines."""
    if not roles.is_staff_member(actor):
        raise PermissionDenied("Only agents can unlink records.")
    source, target = link.source, link.target
    label = link.get_kind_display().lower()
    with transaction.atomic():
        record_event(source, "task.unlinked", actor=actor, body=f"no longer {label} {target.number}")
        record_event(target, "task.unlinked", actor=actor, body=f"{source.number} is no longer {label} this")
        link.delete()


def add_attachment(task: Task, upload: UploadedFile, *, actor: User, is_public: bool = True) -> Attachment:
    """Store an uploaded file on a task after checking its size and type."""
    _require_visible(task, actor)
    filename = safe_filename(upload.name or "file")
    validate_upload(filename, upload.size)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    with transaction.atomic():
        attachment = Attachment(
            task=task,
            filename=filename,
            content_type=stored_content_type(filename),
            size=upload.size,
            sha256=digest.hexdigest(),
            is_public=is_public or not roles.is_staff_member(actor),
            uploaded_by=actor,
        )
        attachment.file.save(filename, upload, save=False)
        attachment.save()
        record_event(
            task,
            "task.attachment_added",
            actor=actor,
            body=filename,
            is_public=attachment.is_public,
        )
    return attachment


def _require_visible(task: Task, actor: User) -> None:
    if not Task.objects.visible_to(actor).filter(pk=task.pk).exists():
        raise PermissionDenied("You cannot see this record.")
