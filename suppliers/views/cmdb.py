"""The supplier panel on a CI page (registered with the CMDB's panel registry): who supports the
CI now, and the contracts that covered it but have expired (a flag computed when the page asks)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from itsm.cmdb.models import ConfigurationItem
from itsm.core.views.common import staff_required
from suppliers import services
from suppliers.querysets import sees_contract_values
from suppliers.views.pages import in_range


@staff_required
@require_GET
def ci_panel(request: HttpRequest, ci_pk: int) -> HttpResponse:
    ci = get_object_or_404(ConfigurationItem, pk=in_range(ci_pk))
    context = {
        "ci": ci,
        "contracts": services.contracts_covering(ci=ci.pk),
        "expired": services.expired_contracts_covering(ci=ci.pk),
        "show_values": sees_contract_values(request.user),
    }
    return render(request, "suppliers/_ci_panel.html", context)
