"""The change API's schema describes the collision check that create and update responses carry."""

from drf_spectacular.generators import SchemaGenerator


def test_create_and_update_responses_document_the_collisions(db):
    # when
    schema = SchemaGenerator().get_schema(request=None, public=True)

    # then
    changes = schema["paths"]["/api/v1/changes/"]["post"]["responses"]["201"]
    one = schema["paths"]["/api/v1/changes/{id}/"]["patch"]["responses"]["200"]
    for response in (changes, one):
        assert response["content"]["application/json"]["schema"]["$ref"].endswith("/ChangeSaved")
    saved = schema["components"]["schemas"]["ChangeSaved"]["properties"]
    assert saved["collisions"]["allOf"][0]["$ref"].endswith("/CollisionSummary") or saved["collisions"].get(
        "$ref", ""
    ).endswith("/CollisionSummary")
    summary = schema["components"]["schemas"]["CollisionSummary"]["properties"]
    assert set(summary) == {"checked", "has_window", "count", "items"}
