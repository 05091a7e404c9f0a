"""The validation matrix: every variable type, with its rules and conditions."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import QueryDict

from catalog.forms_engine import validate_values
from tests.factories import ConfigurationItemFactory, UserFactory


def var(name="v", type="text", **extra):
    base = {
        "name": name, "label": name.title(), "type": type, "help_text": "", "required": False, "default": "",
        "choices": [], "min": None, "max": None, "pattern": "", "condition": None,
    }  # fmt: skip
    base.update(extra)
    return base


CHOICES = [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}, {"value": "c", "label": "C"}]


@pytest.mark.parametrize(
    "definition, raw, expected",
    [
        (var(type="text"), "  two   words ", "two words"),
        (var(type="text", pattern=r"[A-Z]{3}\d+"), "ABC12", "ABC12"),
        (var(type="textarea"), "line 1\nline 2", "line 1\nline 2"),
        (var(type="number", min=1, max=10), "7", 7),
        (var(type="number"), "2,5", 2.5),
        (var(type="boolean"), "yes", True),
        (var(type="boolean"), "no", False),
        (var(type="boolean"), True, True),
        (var(type="choice", choices=CHOICES), "b", "b"),
        (var(type="multichoice", choices=CHOICES), ["c", "a"], ["a", "c"]),
        (var(type="date"), "2026-12-24", "2026-12-24"),
        (var(type="datetime"), "2026-12-24T10:30:00+00:00", "2026-12-24T10:30:00+00:00"),
    ],
)
def test_valid_values_are_cleaned(definition, raw, expected):
    cleaned, _ = validate_values([definition], {"v": raw})
    assert cleaned.get("v", False) == expected or (expected is False and "v" not in cleaned)


@pytest.mark.parametrize(
    "definition, raw",
    [
        (var(type="text", max=5), "too long text"),
        (var(type="text", min=5), "abc"),
        (var(type="text", pattern=r"[A-Z]{3}\d+"), "abc"),
        (var(type="text"), ["list"]),
        (var(type="text"), "nul\x00byte"),
        (var(type="number"), "ten"),
        (var(type="number"), "NaN"),
        (var(type="number"), "1e400"),
        (var(type="number", min=1), "0"),
        (var(type="number", max=10), "11"),
        (var(type="number"), True),
        (var(type="boolean"), "perhaps"),
        (var(type="choice", choices=CHOICES), "z"),
        (var(type="choice", choices=CHOICES), ["a"]),
        (var(type="multichoice", choices=CHOICES), ["a", "z"]),
        (var(type="multichoice", choices=CHOICES, max=1), ["a", "b"]),
        (var(type="multichoice", choices=CHOICES, min=2), ["a"]),
        (var(type="date"), "24.12.2026"),
        (var(type="date"), "2026-02-30"),
        (var(type="datetime"), "tomorrow"),
        (var(type="user"), "abc"),
        (var(type="user"), "999999"),
        (var(type="user"), 2**70),
        (var(type="ci"), "999999"),
    ],
)
def test_invalid_values_are_field_errors(db, definition, raw):
    with pytest.raises(ValidationError) as caught:
        validate_values([definition], {"v": raw})
    assert list(caught.value.message_dict) == ["v"]


def test_lookups_store_id_and_label(db):
    person, ci = UserFactory(first_name="Ann", last_name="Lee"), ConfigurationItemFactory(name="srv-01")
    cleaned, _ = validate_values([var("who", "user"), var("ci", "ci")], {"who": str(person.pk), "ci": ci.pk})
    assert cleaned == {"who": {"id": person.pk, "label": "Ann Lee"}, "ci": {"id": ci.pk, "label": "srv-01"}}


def test_attachment_is_checked_and_returned_as_upload(settings):
    upload = SimpleUploadedFile("quote.pdf", b"%PDF-1.4", content_type="application/pdf")
    cleaned, uploads = validate_values([var("file", "attachment", required=True)], {}, {"file": upload})
    assert cleaned["file"]["name"] == "quote.pdf" and uploads["file"] is upload
    with pytest.raises(ValidationError):
        validate_values([var("file", "attachment")], {}, {"file": SimpleUploadedFile("x.exe", b"MZ")})
    with pytest.raises(ValidationError):
        validate_values([var("file", "attachment", required=True)], {}, {})


@pytest.mark.parametrize(
    "kind", ["text", "textarea", "number", "choice", "multichoice", "date", "datetime", "user", "ci"]
)
def test_required_of_every_type(db, kind):
    with pytest.raises(ValidationError) as caught:
        validate_values([var(type=kind, required=True, choices=CHOICES)], {"v": ""})
    assert "required" in caught.value.message_dict["v"][0]


def test_required_yes_no_must_be_ticked():
    with pytest.raises(ValidationError):
        validate_values([var(type="boolean", required=True)], {})
    assert validate_values([var(type="boolean", required=True)], {"v": "on"})[0] == {"v": True}


SHOW = {"variable": "kind", "value": "shared", "effect": "show"}
REQUIRE = {"variable": "kind", "value": "shared", "effect": "require"}
KIND = var("kind", "choice", choices=[{"value": "shared", "label": "S"}, {"value": "personal", "label": "P"}])


def test_show_condition_drops_hidden_values_and_their_requirement():
    form = [KIND, var("members", required=True, condition=SHOW)]
    assert validate_values(form, {"kind": "personal", "members": "ignored"})[0] == {"kind": "personal"}
    with pytest.raises(ValidationError) as caught:
        validate_values(form, {"kind": "shared"})
    assert "members" in caught.value.message_dict


def test_require_condition():
    form = [KIND, var("members", condition=REQUIRE)]
    assert validate_values(form, {"kind": "personal"})[0] == {"kind": "personal"}
    with pytest.raises(ValidationError):
        validate_values(form, {"kind": "shared"})
    assert validate_values(form, {"kind": "shared", "members": "HR"})[0]["members"] == "HR"


def test_conditions_on_yes_no_and_multiple_choice():
    on_yes = [
        var("dock", "boolean"),
        var("desk", condition={"variable": "dock", "value": "yes", "effect": "require"}),
    ]
    assert validate_values(on_yes, {"dock": "no"})[0] == {"dock": False}
    with pytest.raises(ValidationError):
        validate_values(on_yes, {"dock": "yes"})
    picked = [
        var("apps", "multichoice", choices=CHOICES),
        var("why", condition={"variable": "apps", "value": "b", "effect": "require"}),
    ]
    with pytest.raises(ValidationError):
        validate_values(picked, {"apps": ["a", "b"]})


def test_form_posts_and_unknown_keys():
    post = QueryDict("kind=shared&members=HR&csrfmiddlewaretoken=x")
    assert validate_values([KIND, var("members")], post)[0] == {"kind": "shared", "members": "HR"}
    with pytest.raises(ValidationError) as caught:
        validate_values([KIND], {"kind": "shared", "extra": 1})
    assert "non_field_errors" in caught.value.message_dict
