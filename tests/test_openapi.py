"""The OpenAPI document stays true to the code: routes, methods, schemas and serializers agree."""

import re
from datetime import UTC, datetime
from typing import Any

import pytest

from app.api import shapes
from app.api.openapi import openapi_document
from app.api.schemas import NOT_BLANK
from app.api.serializers import call_json, company_json, person_json
from tests import factories

HTTP_METHODS = {"get", "put", "post", "patch", "delete"}
JSON_TYPES = {
    "string": str,
    "integer": int,
    "boolean": bool,
    "array": list,
    "object": dict,
    "null": type(None),
}


@pytest.fixture
def document(app) -> dict[str, Any]:
    """The document as clients receive it."""
    return app.test_client().get("/api/v1/openapi.json").get_json()


def _api_rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")]


def _openapi_path(rule) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)


def test_the_served_document_is_the_built_one(document):
    assert document == openapi_document()
    assert document["openapi"] == "3.1.0"


def test_every_route_and_method_is_documented_and_nothing_else(app, document):
    in_code = {
        (_openapi_path(rule), method.lower())
        for rule in _api_rules(app)
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    in_document = {
        (path, method)
        for path, item in document["paths"].items()
        for method in item.keys() & HTTP_METHODS
    }
    assert in_code == in_document


def test_path_parameters_match_the_rules(app, document):
    for rule in _api_rules(app):
        item = document["paths"][_openapi_path(rule)]
        documented = {p["name"] for p in item.get("parameters", []) if p["in"] == "path"}
        assert documented == set(rule.arguments), rule.rule


def test_only_public_views_skip_the_token(app, document):
    for rule in _api_rules(app):
        view = app.view_functions[rule.endpoint]
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            operation = document["paths"][_openapi_path(rule)][method.lower()]
            public = operation.get("security", document["security"]) == []
            assert public != getattr(view, "token_required", False), rule.endpoint
            if not public:
                assert "401" in operation["responses"]


def _resolve(document, schema: dict) -> dict:
    while "$ref" in schema:
        *_, section, name = schema["$ref"].split("/")
        schema = document["components"][section][name]
    return schema


def _walk(node: Any):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def test_every_reference_resolves(document):
    for node in _walk(document):
        if isinstance(node.get("$ref"), str):
            assert _resolve(document, node), node["$ref"]


def test_required_lists_name_existing_properties(document):
    for node in _walk(document["components"]["schemas"]):
        if isinstance(node.get("required"), list):
            assert set(node["required"]) <= set(node.get("properties", {})), node["required"]


@pytest.fixture
def examples(app, user) -> dict[str, dict]:
    """One serialized object of each kind, built with every optional link filled in."""
    company = factories.CompanyFactory(location="Springfield", industry="Power")
    boss = factories.PersonFactory(company=company, direct_phone="+12125550111")
    call = factories.CallFactory(
        company=company,
        user=user,
        person=boss,
        answered_by=boss,
        follow_up_at=datetime(2024, 5, 2, tzinfo=UTC),
    )
    person = factories.PersonFactory(company=company, reports_to=boss, source_call=call)
    call.people = [boss, person]
    return {
        "Company": company_json(company),
        "Person": person_json(person),
        "Call": call_json(call),
    }


@pytest.mark.parametrize("name", ["Company", "Person", "Call"])
def test_schema_properties_are_what_the_serializers_produce(document, examples, name):
    schema = document["components"]["schemas"][name]
    assert set(schema["properties"]) == set(examples[name])
    assert set(schema["required"]) <= set(examples[name])


def _check_types(document, value: Any, schema: dict, path: str) -> None:
    schema = _resolve(document, schema)
    types = schema.get("type")
    if types is None:
        return
    allowed = tuple(JSON_TYPES[t] for t in ([types] if isinstance(types, str) else types))
    assert isinstance(value, allowed) and not (isinstance(value, bool) and bool not in allowed), (
        f"{path}: {value!r} is not {types}"
    )
    if "enum" in schema:
        assert value in schema["enum"], path
    if isinstance(value, dict):
        for key, item in value.items():
            _check_types(document, item, schema["properties"][key], f"{path}.{key}")
    if isinstance(value, list):
        for i, item in enumerate(value):
            _check_types(document, item, schema["items"], f"{path}.{i}")


@pytest.mark.parametrize("name", ["Company", "Person", "Call"])
def test_serialized_values_have_the_documented_types(document, examples, name):
    _check_types(document, examples[name], document["components"]["schemas"][name], name)


@pytest.mark.parametrize(
    ("schema", "accepted"),
    [
        ("CompanyCreate", shapes.COMPANY_WRITABLE),
        ("CompanyUpdate", shapes.COMPANY_WRITABLE),
        ("PersonCreate", shapes.PERSON_WRITABLE),
        ("PersonUpdate", shapes.PERSON_WRITABLE),
        ("CallCreate", shapes.CALL_WRITABLE),
        ("CallUpdate", shapes.CALL_WRITABLE),
        ("CallPersonRow", shapes.CALL_ROW_WRITABLE),
    ],
)
def test_request_schemas_list_exactly_the_accepted_fields(document, schema, accepted):
    assert set(document["components"]["schemas"][schema]["properties"]) == accepted


def test_nested_call_objects_list_exactly_the_accepted_fields(document):
    properties = document["components"]["schemas"]["CallCreate"]["properties"]
    for key, shape in shapes.CALL.objects.items():
        assert set(_resolve(document, properties[key])["properties"]) == shape.writable, key


def test_the_not_blank_pattern_is_what_python_strips():
    """The document's "not blank" pattern matches exactly the text str.strip() leaves non-empty."""
    pattern = re.compile(NOT_BLANK)
    for code in range(0x110000):
        char = chr(code)
        assert bool(pattern.search(char)) == bool(char.strip()), hex(code)


def test_every_request_body_is_closed_as_the_server_refuses_unknown_fields(document):
    for item in document["paths"].values():
        for operation in (item.get(m) for m in HTTP_METHODS):
            content = (operation or {}).get("requestBody", {}).get("content", {})
            for media in content.values():
                schema = _resolve(document, media["schema"])
                assert schema["additionalProperties"] is False, media["schema"]


def test_every_operation_documents_the_422_for_bad_query_parameters(document):
    for path, item in document["paths"].items():
        for method in item.keys() & HTTP_METHODS:
            assert "422" in item[method]["responses"], (method, path)
