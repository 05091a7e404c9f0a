"""CSV import: all or nothing, with a report of (row, column, message) for every problem."""

import io
import time
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from itsm.cmdb.choices import CIStatus, RelationshipKind
from itsm.cmdb.importer import import_cmdb
from itsm.cmdb.models import CIRelationship, ConfigurationItem, ServiceComponent
from tests.factories import ConfigurationItemFactory, ServiceFactory, TeamFactory

SAMPLES = Path(__file__).resolve().parents[2] / "itsm" / "cmdb" / "samples"


def csv_file(text: str) -> io.StringIO:
    return io.StringIO(text.strip() + "\n")


def _problems(result) -> list[tuple[int, str]]:
    return [(p.row, p.column) for p in result.problems]


@pytest.fixture
def reference(db):
    TeamFactory(name="Platform")
    ServiceFactory(name="Payroll")
    ServiceFactory(name="E-mail")


def test_a_valid_file_creates_cis_components_and_relationships(reference):
    # given
    cis = csv_file(
        """
name,class,status,environment,owner_team,description,services,attr.os,attr.rack
esx-01,server,in_service,production,platform,Hypervisor,,,R1
app-01,Application,Planned,Test,Platform,Payroll app,Payroll; e-mail,Debian 12,
"""
    )
    relationships = csv_file(
        """
source,kind,target
app-01,runs on,esx-01
"""
    )

    # when
    result = import_cmdb(cis, relationships)

    # then
    assert result.ok, result.problems
    assert (result.created, result.updated, result.components_added, result.relationships_created) == (
        2,
        0,
        2,
        1,
    )
    app = ConfigurationItem.objects.get(name="app-01")
    assert (app.ci_class, app.status, app.environment, app.owner_team.name) == (
        "application",
        "planned",
        "test",
        "Platform",
    )
    assert app.attributes == {"os": "Debian 12"}
    assert sorted(app.services.values_list("name", flat=True)) == ["E-mail", "Payroll"]
    assert CIRelationship.objects.filter(source=app, target__name="esx-01", kind="runs_on").exists()


def test_an_invalid_file_reports_every_problem_and_writes_nothing(reference):
    # given
    ConfigurationItemFactory(name="existing")
    cis = csv_file(
        """
name,class,status,environment,owner_team,services,colour
ok-1,server,in_service,production,Platform,Payroll,red
,server,,,,,
bad-class,sever,,,,,
bad-status,server,exploded,,,,
bad-team,server,,,Nobody,,
bad-service,server,,,,Payroll;Telepathy,
ok-1,server,,,,,
no-class,,,,,,
"""
    )
    relationships = csv_file(
        """
source,kind,target
ok-1,runs_on,ghost
ok-1,likes,existing
existing,depends_on,existing
"""
    )

    # when
    result = import_cmdb(cis, relationships)

    # then
    assert not result.ok
    assert _problems(result) == [
        (1, "colour"),
        (3, "name"),
        (4, "class"),
        (5, "status"),
        (6, "owner_team"),
        (7, "services"),
        (8, "name"),
        (9, "class"),
        (2, "target"),
        (3, "kind"),
        (4, "target"),
    ]
    assert "row 2" in result.problems[6].message  # the duplicate names its first row
    assert "Telepathy" in result.problems[5].message
    assert not ConfigurationItem.objects.exclude(name="existing").exists()
    assert not CIRelationship.objects.exists()


def test_rows_with_the_wrong_number_of_cells_are_reported(db):
    result = import_cmdb(csv_file("name,class\na,server,extra\nb,server"), None)

    assert _problems(result) == [(2, "")]
    assert not ConfigurationItem.objects.exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", [(1, "")]),
        ("class,status\nserver,planned", [(1, "name")]),
        ("name,name\na,b", [(1, "name")]),
        ("name,class,attr.\na,server,b", [(1, "attr.")]),
    ],
)
def test_bad_headers_are_reported(db, text, expected):
    result = import_cmdb(io.StringIO(text), None)

    assert _problems(result) == expected


def test_existing_cis_are_updated_and_blank_cells_keep_values(reference):
    # given
    ci = ConfigurationItemFactory(
        name="db-01",
        ci_class="database",
        description="Keep me",
        attributes={"engine": "PostgreSQL", "v": "15"},
    )
    untouched = ConfigurationItemFactory(name="db-02", ci_class="database")

    # when
    result = import_cmdb(
        csv_file(
            """
name,class,status,description,attr.v,attr.size
db-01,,maintenance,,16,40
db-02,database,,,,
"""
        ),
        None,
    )

    # then
    ci.refresh_from_db()
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert (ci.ci_class, ci.status, ci.description) == ("database", CIStatus.MAINTENANCE, "Keep me")
    assert ci.attributes == {"engine": "PostgreSQL", "v": "16", "size": "40"}
    untouched.refresh_from_db()
    assert untouched.updated_at < ci.updated_at


def test_a_dry_run_counts_and_writes_nothing(reference):
    # given
    ConfigurationItemFactory(name="esx-01", ci_class="server")
    cis = csv_file("name,class,status\nesx-01,server,retired\nvm-01,virtual_machine,")
    relationships = csv_file("source,kind,target\nvm-01,hosted_on,esx-01")

    # when
    result = import_cmdb(cis, relationships, dry_run=True)

    # then
    assert result.ok and result.dry_run
    assert (result.created, result.updated, result.relationships_created) == (1, 1, 1)
    assert ConfigurationItem.objects.get(name="esx-01").status == CIStatus.IN_SERVICE
    assert not ConfigurationItem.objects.filter(name="vm-01").exists()


def test_relationships_already_recorded_are_left_alone(db):
    a, b = ConfigurationItemFactory(name="a"), ConfigurationItemFactory(name="b")
    CIRelationship.objects.create(source=a, target=b, kind=RelationshipKind.DEPENDS_ON)

    result = import_cmdb(None, csv_file("source,kind,target\na,depends_on,b\na,runs_on,b"))

    assert (result.relationships_created, result.relationships_existing) == (1, 1)
    assert CIRelationship.objects.count() == 2


def test_a_cycle_within_the_file_is_reported(db):
    # given a -> b -> c -> a, all in the file
    result = import_cmdb(
        csv_file("name,class\na,server\nb,server\nc,server"),
        csv_file("source,kind,target\na,depends_on,b\nb,depends_on,c\nc,depends_on,a\nc,depends_on,b"),
    )

    # then every edge on the loop is reported, with the loop spelled out
    assert _problems(result) == [(2, "target"), (3, "target"), (4, "target"), (5, "target")]
    assert "a → b → c → a" in result.problems[0].message
    assert not ConfigurationItem.objects.exists()


def test_a_cycle_through_existing_edges_is_reported(db):
    # given x -> y -> z in the CMDB
    x, y, z = (ConfigurationItemFactory(name=n) for n in "xyz")
    CIRelationship.objects.create(source=x, target=y, kind=RelationshipKind.DEPENDS_ON)
    CIRelationship.objects.create(source=y, target=z, kind=RelationshipKind.DEPENDS_ON)

    # when the file makes z need a new CI that needs x
    result = import_cmdb(
        csv_file("name,class\nnew,server"),
        csv_file("source,kind,target\nz,depends_on,new\nnew,depends_on,x\nnew,depends_on,q"),
    )

    # then the unknown CI and both edges of the loop are reported, in one run
    assert _problems(result) == [(4, "target"), (2, "target"), (3, "target")]
    assert "z → new → x → y → z" in result.problems[1].message
    assert CIRelationship.objects.count() == 2


def test_the_command_prints_the_report_and_fails(tmp_path, db):
    # given
    path = tmp_path / "cis.csv"
    path.write_text("name,class\nweb-01,toaster\n", encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()

    # when / then
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_cmdb", "--cis", str(path), stdout=out, stderr=err)
    assert "cis.csv       2  class" in err.getvalue()
    assert "Unknown value 'toaster'" in err.getvalue()
    assert not ConfigurationItem.objects.exists()


def test_the_command_imports_the_samples_after_the_demo(db):
    # given the demo estate the samples refer to
    from itsm.cmdb.demo import seed_cmdb

    seed_cmdb({"platform": TeamFactory(name="Platform"), "applications": TeamFactory(name="Applications")})
    out, err = io.StringIO(), io.StringIO()

    # when
    call_command(
        "import_cmdb",
        "--cis",
        str(SAMPLES / "cis.csv"),
        "--relationships",
        str(SAMPLES / "relationships.csv"),
        stdout=out,
        stderr=err,
    )

    # then
    assert "Imported" in out.getvalue() and "7 created, 1 updated" in out.getvalue()
    assert "writing relationships" in err.getvalue() and "100%" in err.getvalue()
    assert ConfigurationItem.objects.get(name="crm-app").attributes["version"] == "8.7"


@pytest.mark.parametrize(
    ("args", "message"),
    [([], "Give --cis"), (["--cis", "/nonexistent/cis.csv"], "Cannot read")],
)
def test_the_command_refuses_missing_input(db, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("import_cmdb", *args, stdout=io.StringIO(), stderr=io.StringIO())


def test_a_file_that_is_not_utf8_is_a_problem_not_a_crash(tmp_path, db):
    path = tmp_path / "latin1.csv"
    path.write_bytes("name,class\ncaf\xe9,server\n".encode("latin-1"))

    with pytest.raises(CommandError):
        call_command("import_cmdb", "--cis", str(path), stdout=io.StringIO(), stderr=(err := io.StringIO()))
    assert "Not UTF-8" in err.getvalue()


def test_ten_thousand_rows_import_in_seconds(db, team):
    # given 10,000 CIs and 10,000 relationships
    ServiceFactory(name="Payroll")
    lines = ["name,class,owner_team,services,attr.rack"]
    lines += [
        f"ci-{i},server,{team.name},{'Payroll' if i % 100 == 0 else ''},{i % 40}" for i in range(10_000)
    ]
    edges = ["source,kind,target"] + [
        f"ci-{i},depends_on,ci-{i // 2}" for i in range(1, 10_001) if i < 10_000
    ]
    started = time.monotonic()

    # when
    result = import_cmdb(io.StringIO("\n".join(lines)), io.StringIO("\n".join(edges)))

    # then
    assert result.ok, result.problems[:3]
    assert (result.created, result.relationships_created) == (10_000, 9_999)
    assert ServiceComponent.objects.count() == 100
    assert time.monotonic() - started < 30  # seconds, not minutes (about 2 s here)
