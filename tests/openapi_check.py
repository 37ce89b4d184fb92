"""A test client for the JSON API that checks every answer against the OpenAPI
document the app serves: the status must be documented for the operation, and a JSON
body must match the documented schema. Any test can use it (a pytest plugin, loaded
in tests/conftest.py):

    def test_something(api_request, api_token):
        answer = api_request("POST", "/forum/threads", api_token("a@uib.no"), json={...})
"""

from __future__ import annotations

import re

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

PREFIX = "/api/v1"


class OpenApiDocument:
    def __init__(self, document: dict):
        self.document = document
        self.registry = Registry().with_resource(
            "urn:openapi", DRAFT202012.create_resource(document)
        )
        self.routes = []
        for path, operations in document["paths"].items():
            pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+?)", re.escape(path))
            self.routes.append((re.compile(f"^{pattern}$"), path, operations))

    def validate(self, body, pointer: str):
        schema = {"$ref": f"urn:openapi#{pointer}"}
        Draft202012Validator(schema, registry=self.registry).validate(body)
        return body

    def schema(self, name: str) -> str:
        return f"/components/schemas/{name}"

    def check(self, method: str, path: str, response) -> None:
        """Raise unless the answer is one the document promises."""
        path = path.split("?")[0].removeprefix(PREFIX)
        found = [(p, ops) for regex, p, ops in self.routes if regex.match(path)]
        status = str(response.status_code)
        if not found or method.lower() not in found[0][1]:
            # Not an operation (unknown path or method): still our error shape.
            assert response.status_code in (404, 405), (method, path, status)
            self.validate(response.get_json(), self.schema("Error"))
            return
        template, operations = found[0]
        answers = operations[method.lower()]["responses"]
        assert status in answers, f"{method} {template} answered {status}, not documented"
        content = answers[status].get("content", {})
        if response.status_code == 204:
            return
        mimetype = response.mimetype
        assert mimetype in content, f"{method} {template} {status}: {mimetype} not documented"
        if mimetype == "application/json":
            escaped = template.replace("~", "~0").replace("/", "~1")
            self.validate(
                response.get_json(),
                f"/paths/{escaped}/{method.lower()}/responses/{status}"
                "/content/application~1json/schema",
            )


@pytest.fixture
def api_document(client) -> OpenApiDocument:
    document = client.get(f"{PREFIX}/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    for schema in document["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)
    return OpenApiDocument(document)


@pytest.fixture
def api_request(client, api_document):
    """call(method, path, token=None, json=None, data=None, headers=None) -> response,
    with `path` below /api/v1; every answer is checked against the document."""

    def call(method, path, token=None, json=None, data=None, headers=None):
        headers = dict(headers or {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        response = client.open(
            f"{PREFIX}{path}", method=method, headers=headers, json=json, data=data
        )
        api_document.check(method, path, response)
        return response

    return call
