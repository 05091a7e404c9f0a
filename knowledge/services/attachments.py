"""Files and images on articles, held to the platform's upload rules (size, type, name)."""

import hashlib

from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from itsm.core.exceptions import PermissionDenied
from itsm.core.uploads import safe_filename, stored_content_type, validate_upload
from knowledge.models import Article, ArticleAttachment
from knowledge.services.common import may_edit, record, require_visible


def add_article_attachment(article: Article, upload: UploadedFile, *, actor: User) -> ArticleAttachment:
    """Store a file on the article; Markdown can then show it with `![alt](its URL)`."""
    require_visible(article, actor)
    if not may_edit(article, actor) and article.owner_id != actor.pk:
        raise PermissionDenied("You cannot add files to this article.")
    filename = safe_filename(upload.name or "file")
    validate_upload(filename, upload.size)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    with transaction.atomic():
        attachment = ArticleAttachment(
            article=article,
            filename=filename,
            content_type=stored_content_type(filename),
            size=upload.size,
            sha256=digest.hexdigest(),
            uploaded_by=actor,
        )
        attachment.file.save(filename, upload, save=False)
        attachment.save()
        record(article, "article.attachment_added", actor=actor, body=filename)
    return attachment
