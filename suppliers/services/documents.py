"""Contract documents, held to the platform's upload rules; managers only, audited."""

import hashlib

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from itsm.core.exceptions import DomainError, PermissionDenied
from itsm.core.roles import sees_everything
from itsm.core.uploads import safe_filename, stored_content_type, validate_upload
from suppliers.models import Contract, ContractDocument
from suppliers.services import audit


def require_document_access(actor: User) -> None:
    """Documents carry the commercial terms, so the same people as contract values see them."""
    if not sees_everything(actor):
        raise PermissionDenied("Only managers and administrators handle contract documents.")


def add_document(contract: Contract, upload: UploadedFile, *, actor: User) -> ContractDocument:
    """Store a file on the contract (size, type and name checked as for every upload)."""
    require_document_access(actor)
    filename = safe_filename(upload.name or "file")
    try:
        validate_upload(filename, upload.size)
    except ValidationError as error:
        raise DomainError(" ".join(error.messages)) from error
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    with transaction.atomic():
        document = ContractDocument(
            contract=contract,
            filename=filename,
            content_type=stored_content_type(filename),
            size=upload.size,
            sha256=digest.hexdigest(),
            uploaded_by=actor,
        )
        document.file.save(filename, upload, save=False)
        document.save()
        audit.record(
            "contract.document_added",
            actor=actor,
            supplier=contract.supplier,
            contract=contract,
            changes={"document": {"old": None, "new": filename}},
        )
    return document


def remove_document(document: ContractDocument, *, actor: User) -> None:
    """Delete the file and its row; the trail keeps its name."""
    require_document_access(actor)
    contract = document.contract
    with transaction.atomic():
        audit.record(
            "contract.document_removed",
            actor=actor,
            supplier=contract.supplier,
            contract=contract,
            changes={"document": {"old": document.filename, "new": None}},
        )
        document.delete()
        transaction.on_commit(lambda: document.file.delete(save=False))
