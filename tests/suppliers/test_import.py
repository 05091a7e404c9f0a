"""CSV import of contracts: a dry run reports each problem by line and column; an import creates
the valid rows in one transaction; a file that is not a contracts CSV is a clear 400."""

from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from itsm.core.exceptions import DomainError, PermissionDenied
from suppliers import services
from suppliers.models import AuditEntry, Contract

pytestmark = pytest.mark.django_db

GOOD_AND_BAD = (
    "reference,supplier,kind,start_date,end_date,value,response_hours,services,covers_service_cis,owner\n"
    "NEW-1,Acme Hosting,support,2026-01-01,2026-12-31,1000,4,E-mail,yes,mona.manager\n"
    "NEW-2,Nobody Ltd,support,2026-01-01,,,,,,\n"
    "NEW-3,Acme Hosting,lease,2026-13-01,2025-01-01,-5,x,Payroll,maybe,\n"
    "ACME-001,Acme Hosting,,2026-01-01,,,,,,\n"
    "NEW-1,Acme Hosting,,2026-01-01,,,,,,\n"
    "NEW-4,Acme Hosting,,2026-05-01,2026-01-01,,,,,\n"
)


def test_dry_run_reports_each_problem_and_writes_nothing(manager, contract):
    report = services.import_contracts(GOOD_AND_BAD.encode(), actor=manager, dry_run=True)
    problems = {(e.line, e.field) for e in report.errors}
    assert report.rows == 6 and report.valid_lines == [2]
    assert (3, "supplier") in problems
    assert (7, "end_date") in problems
    assert {
        (4, "start_date"),
        (4, "value"),
        (4, "response_hours"),
        (4, "services"),
        (4, "covers_service_cis"),
    } <= problems
    assert (5, "reference") in problems and (6, "reference") in problems
    assert (7, "end_date") in problems  # the model's own rule: end before start
    assert not Contract.objects.filter(reference__startswith="NEW").exists()


def test_import_creates_the_valid_rows_through_the_services(manager, contract, service):
    report = services.import_contracts(GOOD_AND_BAD.encode(), actor=manager, dry_run=False)
    assert report.created == ["NEW-1"]
    new = Contract.objects.get(reference="NEW-1")
    assert new.covers_service_cis and list(new.services.all()) == [service] and new.owner == manager
    assert str(new.value) == "1000.00" and new.response_time.total_seconds() == 4 * 3600
    assert AuditEntry.objects.filter(contract=new, action="contract.created", actor=manager).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"\xff\xfe\x00bad", "UTF-8"),
        (b"name,value\nx,1\n", "Missing column"),
        (b"reference,supplier,start_date,colour\nA,B,2026-01-01,red\n", "Unknown column"),
        (b"reference,supplier,start_date\n", "no rows"),
    ],
)
def test_a_file_that_is_not_a_contracts_csv_is_refused(manager, data, message):
    with pytest.raises(DomainError, match=message):
        services.import_contracts(data, actor=manager)


def test_only_managers_import(agent):
    with pytest.raises(PermissionDenied):
        services.import_contracts(b"reference,supplier,start_date\nA,B,2026-01-01\n", actor=agent)


def test_the_import_page(client, manager, agent, supplier):
    url = reverse("suppliers:import")
    client.force_login(agent)
    assert client.get(url).status_code == 403
    client.force_login(manager)
    assert "Check (dry run)" in client.get(url).content.decode()
    csv = "reference;supplier;start_date\nP-1;Acme Hosting;2026-01-01\nP-2;<script>x</script>;2026-01-01\n"
    checked = client.post(url, {"file": SimpleUploadedFile("c.csv", csv.encode()), "mode": "check"})
    page = checked.content.decode()
    assert checked.status_code == 200 and "1 row can be imported" in page and "&lt;script&gt;" in page
    assert not Contract.objects.exists()
    imported = client.post(url, {"file": SimpleUploadedFile("c.csv", csv.encode()), "mode": "import"})
    assert "1 contract created: P-1" in imported.content.decode()
    assert client.post(url, {"file": SimpleUploadedFile("c.csv", b"\x00\xff")}).status_code == 400
    assert client.post(url, {}).status_code == 400


def test_the_management_command(manager, supplier, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("reference,supplier,start_date\nCMD-1,Acme Hosting,2026-01-01\nCMD-2,Nope,2026-01-01\n")
    out = StringIO()
    call_command("import_contracts", str(path), actor=manager.username, stdout=out, stderr=StringIO())
    assert "line 3: supplier" in out.getvalue() and not Contract.objects.exists()
    call_command(
        "import_contracts", str(path), actor=manager.username, commit=True, stdout=out, stderr=StringIO()
    )
    assert Contract.objects.filter(reference="CMD-1").exists()
    with pytest.raises(CommandError):
        call_command("import_contracts", str(tmp_path / "missing.csv"), actor=manager.username)
