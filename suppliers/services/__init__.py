"""The only write path of the supplier practice, and the lookups other practices call.

- records: suppliers and contracts (audited), coverage (`contracts_covering`), renewals;
- engagements: engaging a supplier on a record and recording the supplier's side;
- underpinning: the contracts' commitments as SLA definitions;
- documents: contract documents; importing: the CSV import of contracts.
"""

from django.utils import timezone  # noqa: F401  (tests freeze `suppliers.services.timezone.localdate`)

from suppliers.services.documents import add_document, remove_document
from suppliers.services.engagements import end_engagement, engage_supplier, move_engagement
from suppliers.services.importing import ImportReport, import_contracts
from suppliers.services.records import (
    RENEWAL_LEAD_DAYS,
    contracts_covering,
    contracts_due_for_renewal,
    create_contract,
    create_supplier,
    expired_contracts_covering,
    remind_renewals,
    update_contract,
    update_supplier,
)
from suppliers.services.underpinning import sync_underpinning_definitions

__all__ = [
    "RENEWAL_LEAD_DAYS",
    "ImportReport",
    "add_document",
    "contracts_covering",
    "contracts_due_for_renewal",
    "create_contract",
    "create_supplier",
    "end_engagement",
    "engage_supplier",
    "expired_contracts_covering",
    "import_contracts",
    "move_engagement",
    "remind_renewals",
    "remove_document",
    "sync_underpinning_definitions",
    "update_contract",
    "update_supplier",
]
