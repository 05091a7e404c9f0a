"""Checks every uploaded file passes, wherever it is attached (tasks, knowledge articles, ...).

One place decides the size limit, the accepted extensions, how a client's filename is made
safe to store and show, and which content type it is later served as: a practice that stores
files of its own calls these instead of copying the rules.
"""

import mimetypes
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError

#: Types a browser would render or run; such files are served as opaque downloads instead.
NEVER_SERVED_AS = ("text/html", "application/xhtml+xml", "image/svg+xml", "text/javascript")


def validate_upload(filename: str, size: int) -> None:
    """Refuse files over ATTACHMENT_MAX_BYTES or with an extension not in the allowed list."""
    limit = settings.ATTACHMENT_MAX_BYTES
    if size > limit:
        raise ValidationError(
            {"file": f"{filename} is {size:,} bytes; the limit is {limit:,} bytes."},
            code="too_large",
        )
    extension = PurePosixPath(filename).suffix.lower().lstrip(".")
    allowed = settings.ATTACHMENT_ALLOWED_EXTENSIONS
    if extension not in allowed:
        raise ValidationError(
            {"file": f"Files of type .{extension or '?'} are not accepted. Allowed: {', '.join(allowed)}."},
            code="type_not_allowed",
        )


def safe_filename(name: str) -> str:
    """The last path component, without control characters, at most 200 characters."""
    base = PurePosixPath(name.replace("\\", "/")).name
    cleaned = "".join(ch for ch in base if ch.isprintable() and ch not in '<>:"|?*')
    return cleaned.strip(" .")[-200:] or "file"


def stored_content_type(filename: str) -> str:
    """The type to serve the file as: guessed from its name, never one a browser would run."""
    guessed = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    return "application/octet-stream" if guessed in NEVER_SERVED_AS else guessed
