"""Dependencies point one way: practice apps import `itsm.*`, never the reverse.

The root URLconf and the API router are the only composition roots allowed to import
practice apps. Practices reach each other only through `services.py`.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRACTICES = ("incidents", "problems", "changes", "knowledge", "catalog", "suppliers", "improvements")
COMPOSITION_ROOTS = {Path("itsm/urls.py"), Path("itsm/api/urls.py")}


def imported_modules(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def python_files(folder: str) -> list[Path]:
    return sorted(p for p in (ROOT / folder).rglob("*.py") if "migrations" not in p.parts)


def test_the_platform_never_imports_a_practice_app():
    offences = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in python_files("itsm")
        if path.relative_to(ROOT) not in COMPOSITION_ROOTS
        for line, module in imported_modules(path)
        if module.split(".")[0] in PRACTICES
    ]
    assert not offences, "itsm/ must not import practice apps:\n" + "\n".join(offences)


@pytest.mark.parametrize("practice", PRACTICES)
def test_practices_reach_each_other_only_through_services(practice):
    others = [p for p in PRACTICES if p != practice]
    offences = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in python_files(practice)
        for line, module in imported_modules(path)
        if module.split(".")[0] in others and module.split(".")[1:2] != ["services"]
    ]
    assert not offences, f"{practice} may only import other practices' services:\n" + "\n".join(offences)


def test_the_check_itself_catches_an_offence(tmp_path):
    # given: a module that imports a practice app
    module = tmp_path / "bad.py"
    module.write_text("from incidents.models import Incident\nimport changes.services\n")
    # then
    assert [m for _, m in imported_modules(module)] == ["incidents.models", "changes.services"]


def test_every_practice_is_a_registered_app():
    from django.apps import apps

    assert {config.name for config in apps.get_app_configs()} >= set(PRACTICES)
