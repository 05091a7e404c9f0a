"""The one validation module for catalog forms: the portal page and the API both call
`validate_values` with an item version's variable definitions, so a rule can never hold on one
surface and not the other.

Definitions are plain dicts (the frozen `ItemVersion.snapshot["variables"]`), so a request is
always checked against the version it is ordered with. Each dict has: name, label, type,
help_text, required, default, choices ([{value, label}]), min, max, pattern, and condition
({variable, value, effect}) or None.

Conditions: `show` hides the variable (its value is dropped) unless the other variable has
the value; `require` makes it required only then. A yes/no variable has the values "yes"
and "no"; a multiple choice matches when the value is one of those picked.
"""

import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from catalog.choices import ConditionEffect, VariableType
from catalog.lookups import LookupScope

TEXT_MAX = 250
TEXTAREA_MAX = 5000
TRUE_WORDS = {"yes", "true", "on", "1"}
FALSE_WORDS = {"no", "false", "off", "0", ""}
CHOICE_TYPES = {VariableType.CHOICE, VariableType.MULTICHOICE}
LOOKUP_TYPES = {VariableType.USER, VariableType.CI}


class Skip(Exception):
    """Internal: the variable was not given."""


# --- definitions ------------------------------------------------------------------------


def parse_choices(text: str) -> list[dict[str, str]]:
    """`value|Label` lines (or just `value`) as [{value, label}]."""
    found = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        value, _, label = line.partition("|")
        found.append({"value": value.strip(), "label": (label or value).strip()})
    return found


def definition_of(variable) -> dict[str, Any]:
    """The frozen dict for a `catalog.models.Variable`."""
    condition = None
    if variable.condition_variable:
        condition = {
            "variable": variable.condition_variable,
            "value": variable.condition_value,
            "effect": variable.condition_effect or ConditionEffect.SHOW,
        }
    return {
        "name": variable.name,
        "label": variable.label,
        "type": variable.type,
        "help_text": variable.help_text,
        "required": variable.required,
        "default": variable.default,
        "choices": parse_choices(variable.choices) if variable.type in CHOICE_TYPES else [],
        "min": _plain_number(variable.min_value),
        "max": _plain_number(variable.max_value),
        "pattern": variable.pattern,
        "condition": condition,
    }


def check_variable_definition(variable) -> None:
    """Admin-side checks of one variable: a pattern that compiles, choices where needed, a sane range."""
    errors = {}
    if variable.pattern:
        try:
            re.compile(variable.pattern)
        except re.error as error:
            errors["pattern"] = f"Not a valid regular expression: {error}."
    if variable.type in CHOICE_TYPES and not parse_choices(variable.choices):
        errors["choices"] = "List the choices, one per line."
    if (
        variable.min_value is not None
        and variable.max_value is not None
        and variable.min_value > variable.max_value
    ):
        errors["max_value"] = "The largest value is below the smallest."
    if variable.condition_variable and variable.condition_variable == variable.name:
        errors["condition_variable"] = "A variable cannot depend on itself."
    if errors:
        raise ValidationError(errors)


def check_form(definitions: list[dict]) -> None:
    """Whole-form checks: every condition names another variable of the form."""
    names = {d["name"] for d in definitions}
    for definition in definitions:
        condition = definition.get("condition")
        if condition and condition["variable"] not in names:
            raise ValidationError(
                f"“{definition['label']}” depends on “{condition['variable']}”, which is not in this form."
            )


# --- conditions -------------------------------------------------------------------------


def condition_met(definition: dict, values: Mapping[str, Any]) -> bool:
    """Whether the other variable named by the condition has the value (True without a condition)."""
    condition = definition.get("condition")
    if not condition:
        return True
    return matches(values.get(condition["variable"]), condition["value"])


def matches(value: Any, wanted: str) -> bool:
    """A cleaned value compared with a condition's or a fulfilment step's expected value."""
    wanted = str(wanted).strip().lower()
    if isinstance(value, bool):
        return ("yes" if value else "no") == wanted or (str(value).lower() == wanted)
    if isinstance(value, list):
        return wanted in {str(v).lower() for v in value}
    if isinstance(value, dict):
        return wanted in {str(value.get("id")).lower(), str(value.get("label", "")).lower()}
    return value is not None and str(value).strip().lower() == wanted


def is_shown(definition: dict, values: Mapping[str, Any]) -> bool:
    condition = definition.get("condition")
    if condition and condition["effect"] == ConditionEffect.SHOW:
        return condition_met(definition, values)
    return True


def is_required(definition: dict, values: Mapping[str, Any]) -> bool:
    condition = definition.get("condition")
    if condition and condition["effect"] == ConditionEffect.REQUIRE:
        return definition["required"] or condition_met(definition, values)
    return definition["required"]


# --- validation -------------------------------------------------------------------------


def validate_values(
    definitions: list[dict],
    data: Mapping[str, Any],
    files: Mapping[str, Any] | None = None,
    *,
    scope: LookupScope | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Cleaned values (JSON-safe) and uploads for the shown variables; ValidationError with one
    message per field name otherwise. `data` is a dict (API JSON) or a QueryDict (a form post).
    Person and CI lookups accept only what `scope` (the type-ahead's own scope) would offer."""
    files = files or {}
    scope = scope or LookupScope()
    parsed: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for definition in definitions:
        try:
            parsed[definition["name"]] = _parse(definition, data, files, scope)
        except Skip:
            continue
        except ValidationError as error:
            errors[definition["name"]] = error.messages[0]
    cleaned, uploads = {}, {}
    for definition in definitions:
        name = definition["name"]
        if name in errors or not is_shown(definition, parsed):
            continue
        value = parsed.get(name)
        if _empty(value) or (value is False and is_required(definition, parsed)):
            if is_required(definition, parsed):
                errors[name] = _required_message(definition)
            continue
        if definition["type"] == VariableType.ATTACHMENT:
            uploads[name] = value
            value = {"name": value.name, "size": value.size}
        cleaned[name] = value
    unknown = set(_keys(data)) - {d["name"] for d in definitions}
    if unknown and not isinstance(data, QueryDict):  # a form post carries the token, quantity...
        errors["non_field_errors"] = "Not fields of this form: " + ", ".join(sorted(unknown)[:10]) + "."
    if errors:
        raise ValidationError(errors)
    return cleaned, uploads


def _required_message(definition: dict) -> str:
    if definition["type"] == VariableType.BOOLEAN:
        return f"Tick “{definition['label']}” to go on."
    return f"“{definition['label']}” is required."


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def _keys(data: Mapping[str, Any]) -> list[str]:
    return [key for key in data if isinstance(key, str)]


def _raw(data: Mapping[str, Any], name: str, *, many: bool = False) -> Any:
    if hasattr(data, "getlist"):
        values = [v for v in data.getlist(name) if v != ""]
        return values if many else (values[0] if values else None)
    return data.get(name)


def _parse(definition: dict, data: Mapping[str, Any], files: Mapping[str, Any], scope: LookupScope) -> Any:
    kind = definition["type"]
    if kind == VariableType.ATTACHMENT:
        return _attachment(files.get(definition["name"]))
    if kind == VariableType.BOOLEAN:
        return _boolean(_raw(data, definition["name"]))
    raw = _raw(data, definition["name"], many=kind == VariableType.MULTICHOICE)
    if raw is None or raw == "" or raw == []:
        return None
    if kind in LOOKUP_TYPES:
        return _lookup(kind, raw, scope)
    return PARSERS[kind](definition, raw)


def _text(definition: dict, raw: Any, limit: int = TEXT_MAX) -> str:
    if not isinstance(raw, str | int | float) or isinstance(raw, bool):
        raise ValidationError("Enter text.")
    value = str(raw).strip() if limit == TEXT_MAX else str(raw).strip("\n ")
    if limit == TEXT_MAX:
        value = " ".join(value.split())
    if "\x00" in value:
        raise ValidationError("The text contains a character that is not allowed.")
    longest = int(definition["max"]) if definition["max"] is not None else limit
    shortest = int(definition["min"]) if definition["min"] is not None else 0
    if len(value) > min(longest, limit):
        raise ValidationError(f"At most {min(longest, limit)} characters (this is {len(value)}).")
    if value and len(value) < shortest:
        raise ValidationError(f"At least {shortest} characters.")
    if value and definition["pattern"] and not re.fullmatch(definition["pattern"], value):
        raise ValidationError(definition["help_text"] or "This is not in the expected format.")
    return value


def _textarea(definition: dict, raw: Any) -> str:
    return _text(definition, raw, TEXTAREA_MAX)


def _number(definition: dict, raw: Any) -> int | float:
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        raise ValidationError("Enter a number.")
    try:
        number = Decimal(str(raw).strip().replace(",", "."))
    except InvalidOperation as error:
        raise ValidationError("Enter a number.") from error
    if not number.is_finite() or abs(number) >= Decimal("1e12"):
        raise ValidationError("Enter a number.")
    if definition["min"] is not None and number < Decimal(str(definition["min"])):
        raise ValidationError(f"The smallest allowed is {definition['min']}.")
    if definition["max"] is not None and number > Decimal(str(definition["max"])):
        raise ValidationError(f"The largest allowed is {definition['max']}.")
    return _plain_number(number)


def _boolean(raw: Any) -> bool:
    if raw is None or isinstance(raw, bool):
        return bool(raw)
    word = str(raw).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValidationError("Answer yes or no.")


def _choice(definition: dict, raw: Any) -> str:
    allowed = {c["value"] for c in definition["choices"]}
    if not isinstance(raw, str) or raw not in allowed:
        raise ValidationError("Pick one of the offered choices.")
    return raw


def _multichoice(definition: dict, raw: Any) -> list[str]:
    picked = raw if isinstance(raw, list) else [raw]
    allowed = [c["value"] for c in definition["choices"]]
    if any(not isinstance(v, str) or v not in allowed for v in picked):
        raise ValidationError("Pick only offered choices.")
    if definition["min"] is not None and len(set(picked)) < definition["min"]:
        raise ValidationError(f"Pick at least {definition['min']}.")
    if definition["max"] is not None and len(set(picked)) > definition["max"]:
        raise ValidationError(f"Pick at most {definition['max']}.")
    return [v for v in allowed if v in picked]


def _date(definition: dict, raw: Any) -> str:
    parsed = _safe(parse_date, raw)
    if parsed is None:
        raise ValidationError("Enter a date as YYYY-MM-DD.")
    return parsed.isoformat()


def _datetime(definition: dict, raw: Any) -> str:
    parsed = _safe(parse_datetime, raw)
    if parsed is None:
        raise ValidationError("Enter a date and time as YYYY-MM-DDTHH:MM.")
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed.isoformat()


def _safe(parser, raw: Any) -> date | datetime | None:
    if not isinstance(raw, str) or len(raw) > 40:
        return None
    try:
        return parser(raw.strip())
    except ValueError:
        return None


def _record_id(raw: Any) -> int:
    try:
        pk = int(raw)
    except (TypeError, ValueError) as error:
        raise ValidationError("Pick from the list.") from error
    if isinstance(raw, bool) or not 0 < pk < 2**63:
        raise ValidationError("Pick from the list.")
    return pk


def _lookup(kind: str, raw: Any, scope: LookupScope) -> dict:
    """A person or CI id (or `{"id": ...}`) the scope lets this order name, as {id, label}."""
    pk = _record_id(raw.get("id") if isinstance(raw, dict) else raw)
    option = scope.chosen(kind, pk)
    if option is None:
        what = "person" if kind == VariableType.USER else "configuration item"
        raise ValidationError(f"Pick a {what} from the list.")
    return {"id": option["id"], "label": option["label"]}


def _attachment(upload: Any) -> Any:
    if upload is None:
        return None
    if not hasattr(upload, "size") or not hasattr(upload, "name"):
        raise ValidationError("Upload a file.")
    extension = PurePosixPath(upload.name or "").suffix.lower().lstrip(".")
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        raise ValidationError(f"The file is larger than {settings.ATTACHMENT_MAX_BYTES:,} bytes.")
    if extension not in settings.ATTACHMENT_ALLOWED_EXTENSIONS:
        raise ValidationError(f"Files of type .{extension or '?'} are not accepted.")
    return upload


PARSERS = {
    VariableType.TEXT: _text,
    VariableType.TEXTAREA: _textarea,
    VariableType.NUMBER: _number,
    VariableType.CHOICE: _choice,
    VariableType.MULTICHOICE: _multichoice,
    VariableType.DATE: _date,
    VariableType.DATETIME: _datetime,
}


def _plain_number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def display_value(value: Any) -> str:
    """How a stored value reads on pages and in e-mails."""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return str(value.get("label") or value.get("name") or value.get("id"))
    return "" if value is None else str(value)


def readable_answers(definitions: list[dict], values: dict) -> list[tuple[str, str]]:
    """(label, text) per stored answer, in form order, with choice values shown by their labels."""
    rows = []
    for definition in definitions:
        name = definition["name"]
        if name not in values:
            continue
        labels = {c["value"]: c["label"] for c in definition.get("choices", [])}
        value = values[name]
        if isinstance(value, list):
            value = [labels.get(v, v) for v in value]
        elif isinstance(value, str) and value in labels:
            value = labels[value]
        rows.append((definition["label"], display_value(value)))
    return rows
