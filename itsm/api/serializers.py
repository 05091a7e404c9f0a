"""Serializer helpers shared by every app's API."""

import copy


class FieldsBuiltOnce:
    """Mix into a ModelSerializer whose fields never vary: they are worked out once per class.

    DRF introspects the model and builds every field each time a serializer is created; for a
    record such as an incident that took 1.2 ms, a seventh of an API create, and single-record
    responses pay it on every call (lists build their child's fields once). The first instance
    keeps what `get_fields()` built on its class; later ones get a deep copy, which is what DRF
    does with declared fields anyway. Do not use it where the fields depend on the request
    (context, query parameters).
    """

    def get_fields(self):
        cls = type(self)
        built = cls.__dict__.get("_fields_built_once")
        if built is None:
            built = super().get_fields()
            cls._fields_built_once = built
        return copy.deepcopy(built)


# --- ?fields= and ?expand= -------------------------------------------------------------------


class Expansion:
    """How `?expand=<name>` turns a related id into the related object.

    `queryset(user)` gives the rows the caller may see (one query for a whole page: ids are
    collected first, then fetched with `in_bulk`); ids the caller may not see stay ids.
    """

    def __init__(self, model, serializer_class, queryset=None):
        self.model = model
        self.serializer_class = serializer_class
        self._queryset = queryset

    def queryset(self, user):
        if self._queryset is not None:
            return self._queryset(user)
        manager = self.model._default_manager
        return manager.visible_to(user) if hasattr(manager, "visible_to") else manager.all()

    def field_names(self) -> set[str]:
        return set(self.serializer_class().fields)


#: Related models that `?expand=` can inline, by model label; filled by `register_expansion`.
EXPANSIONS: dict[str, Expansion] = {}


def register_expansion(model, serializer_class, queryset=None) -> None:
    EXPANSIONS[model._meta.label] = Expansion(model, serializer_class, queryset)


def expandable_fields(serializer_class, model) -> dict[str, Expansion]:
    """The serializer's fields that name a foreign key whose model can be expanded."""
    if model is None or serializer_class is None:
        return {}
    names = {}
    try:
        fields = serializer_class().fields
    except Exception:  # a serializer that needs context to build its fields: nothing to expand
        return {}
    for name, field in fields.items():
        if getattr(field, "write_only", False):
            continue
        source = getattr(field, "source", name) or name
        try:
            model_field = model._meta.get_field(source.split(".")[0])
        except Exception:
            continue
        if not (model_field.many_to_one or model_field.one_to_one) or model_field.related_model is None:
            continue
        expansion = EXPANSIONS.get(model_field.related_model._meta.label)
        if expansion is not None:
            names[name] = expansion
    return names


def parse_names(raw: str | None) -> list[str]:
    return [name.strip() for name in (raw or "").split(",") if name.strip()]


def _id_of(value):
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, dict) and isinstance(value.get("id"), int):
        return value["id"]
    return None


def expand_items(items: list[dict], names: list[str], expansions: dict[str, Expansion], request) -> None:
    """Replace each named id (or summary) in `items` by the related object, one query per name."""
    for name in names:
        expansion = expansions[name]
        ids = {_id_of(item.get(name)) for item in items if isinstance(item, dict)} - {None}
        if not ids:
            continue
        rows = expansion.queryset(request.user).in_bulk(ids)
        context = {"request": request}
        rendered = {pk: expansion.serializer_class(row, context=context).data for pk, row in rows.items()}
        for item in items:
            if isinstance(item, dict):
                pk = _id_of(item.get(name))
                if pk in rendered:
                    item[name] = rendered[pk]


def field_tree(names: list[str]) -> dict:
    """`["number", "assignee.username"]` → `{"number": {}, "assignee": {"username": {}}}`."""
    tree: dict = {}
    for name in names:
        node = tree
        for part in name.split("."):
            node = node.setdefault(part, {})
    return tree


def prune(value, tree: dict):
    """Keep only the fields in `tree` (an empty subtree keeps the whole value)."""
    if not tree:
        return value
    if isinstance(value, list):
        return [prune(item, tree) for item in value]
    if isinstance(value, dict):
        return {key: prune(value[key], sub) for key, sub in tree.items() if key in value}
    return value
