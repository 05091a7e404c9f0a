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
