"""Manager pages: contract documents (upload, download, remove) and the CSV import of contracts."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from itsm.core.exceptions import DomainError
from itsm.core.views.common import staff_required
from suppliers import services
from suppliers.forms import DocumentForm, ImportForm
from suppliers.models import Contract, ContractDocument
from suppliers.querysets import sees_contract_values
from suppliers.services.importing import COLUMNS, MAX_BYTES
from suppliers.views.pages import contract_page, in_range


def _manager(request: HttpRequest) -> None:
    if not sees_contract_values(request.user):
        raise PermissionDenied


@staff_required
@require_POST
def add_document(request: HttpRequest, pk: int) -> HttpResponse:
    _manager(request)
    contract = get_object_or_404(Contract.objects.select_related("supplier"), pk=in_range(pk))
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        return contract_page(request, contract.pk, status=400, document_error="Choose a file to upload.")
    try:
        document = services.add_document(contract, form.cleaned_data["file"], actor=request.user)
    except DomainError as error:
        return contract_page(request, contract.pk, status=error.http_status, document_error=error.message)
    messages.success(request, f"{document.filename} added.")
    return redirect(reverse("suppliers:contract", args=[contract.pk]) + "#documents")


@staff_required
@require_GET
def document(request: HttpRequest, pk: int, document_pk: int) -> FileResponse:
    """Download, never rendered inline: the stored type is never one a browser runs."""
    _manager(request)
    item = get_object_or_404(ContractDocument, pk=in_range(document_pk), contract_id=in_range(pk))
    response = FileResponse(
        item.file.open("rb"), as_attachment=True, filename=item.filename, content_type=item.content_type
    )
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@staff_required
@require_POST
def remove_document(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    _manager(request)
    item = get_object_or_404(
        ContractDocument.objects.select_related("contract__supplier"),
        pk=in_range(document_pk),
        contract_id=in_range(pk),
    )
    services.remove_document(item, actor=request.user)
    messages.success(request, f"{item.filename} removed.")
    return redirect(reverse("suppliers:contract", args=[pk]) + "#documents")


@staff_required
@require_http_methods(["GET", "POST"])
def import_contracts(request: HttpRequest) -> HttpResponse:
    """Upload a CSV; "Check" is a dry run with a report per row, "Import" creates the valid rows."""
    _manager(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    context = {"form": form, "columns": COLUMNS, "max_mb": MAX_BYTES // 2**20}
    if request.method == "GET":
        return render(request, "suppliers/import.html", context)
    if not form.is_valid():
        return render(request, "suppliers/import.html", context, status=400)
    upload = form.cleaned_data["file"]
    if upload.size > MAX_BYTES:
        context["problem"] = f"The file is larger than {context['max_mb']} MB."
        return render(request, "suppliers/import.html", context, status=400)
    dry_run = request.POST.get("mode") != "import"
    try:
        report = services.import_contracts(upload.read(), actor=request.user, dry_run=dry_run)
    except DomainError as error:
        context["problem"] = error.message
        return render(request, "suppliers/import.html", context, status=400)
    context["report"] = report
    return render(request, "suppliers/import.html", context)
