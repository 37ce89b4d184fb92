"""The resource bank in the JSON API (/api/v1): themes and resources, with their
OpenAPI entries. Written on the existing API blueprint in its hand-written style;
the app factory imports this module, so the API package never imports the bank."""

from __future__ import annotations

import base64
import binascii

from flask import g, jsonify, request

from eventsys.api import bp, parsing
from eventsys.api.errors import ApiError, bad_request, forbidden, not_found
from eventsys.api.openapi import ERRORS, ID, PATHS, SCHEMAS, _answer, _json, _list, _ref
from eventsys.database import local_date
from eventsys.extensions import db
from eventsys.links import absolute
from eventsys.resources import operations, rules, search
from eventsys.resources.models import Resource
from eventsys.themes import operations as theme_ops

MESSAGES = {
    "invalid_choice": "'{field}' is not one of the allowed values.",
    "required": "'{field}' is required.",
    "too_long": "'{field}' is too long.",
    "year_range": "'year' must be from 1900 to two years from now.",
    "url_invalid": "'url' must be an http:// or https:// link.",
    "doi_invalid": "'doi' must look like 10.<digits>/<suffix>, e.g. 10.1080/0307507.2021.1.",
    "required_for_conference": "A conference needs 'starts_on'.",
    "ends_before_start": "'ends_on' is before 'starts_on'.",
    "deadline_after_start": "'deadline' must be on or before 'starts_on'.",
    "unknown_theme": "'themes' has a code that is not in GET /api/v1/themes.",
    "unknown_event": "No such event.",
    "not_allowed": "Your token may not do that with this resource.",
    "wrong_state": "The resource is not in a state where that can be done.",
    "comment_required": "Sending back needs a 'comment' for the contributor.",
    "file_empty": "The file is empty.",
    "file_too_large": "The file is larger than the upload limit.",
    "file_unknown_type": "The file's content is not an accepted kind "
    "(PDF, Office or OpenDocument document, PNG/JPEG/GIF/WebP image).",
    "file_mismatch": "The file's name claims another kind than its content is ({detail}).",
}
# The status a client asks for, as a step of the publication flow.
STATUS_ACTIONS = {
    "submitted": "submit",
    "published": "publish",
    "draft": "send_back",
    "withdrawn": "withdraw",
}


def resource_json(resource: Resource) -> dict:
    return {
        "id": resource.id,
        "kind": resource.kind.value,
        "title": resource.title,
        "summary": resource.summary,
        "authors": list(resource.authors or []),
        "year": resource.year,
        "language": resource.language,
        "themes": resource.theme_codes,
        "url": resource.url or None,
        "doi": resource.doi,
        "event_id": resource.event_id,
        "organisation_id": resource.organisation_id,
        "file_url": absolute("resources.download", resource_id=resource.id)
        if resource.file is not None
        else None,
        "status": resource.status.value,
        "starts_on": resource.starts_on.isoformat() if resource.starts_on else None,
        "ends_on": resource.ends_on.isoformat() if resource.ends_on else None,
        "location": resource.location or None,
        "deadline": resource.deadline.isoformat() if resource.deadline else None,
        "published_at": resource.published_at.isoformat() if resource.published_at else None,
    }


def _error(exc: operations.ResourceError) -> ApiError:
    field, code = exc.problems[0]
    if code == "not_allowed":
        return forbidden(MESSAGES["not_allowed"])
    status = 413 if code == "file_too_large" else 409 if code == "wrong_state" else 400
    message = MESSAGES.get(code, code).format(field=field, detail=exc.detail)
    return ApiError(
        status, code, message, {"problems": [{"field": f, "code": c} for f, c in exc.problems]}
    )


def _strings(data: dict, name: str) -> list[str] | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise bad_request("invalid_type", f"'{name}' must be a list of strings.", field=name)
    for index in range(len(value)):
        parsing.string({name: value[index]}, name, max_length=200)
    return value


def _values(data: dict) -> dict:
    """The record's fields present in the body, type-checked (the operation checks
    what they mean)."""
    values: dict = {}
    if "kind" in data:
        values["kind"] = parsing.choice(data, "kind", rules.KINDS)
    if "language" in data:
        values["language"] = parsing.choice(data, "language", rules.LANGUAGES)
    for name, length in (("title", 300), ("summary", 50_000), ("location", 300)):
        if name in data:
            values[name] = parsing.string(data, name, required=False, max_length=length) or ""
    for name in ("url", "doi"):
        if name in data:
            values[name] = parsing.string(data, name, required=False, max_length=1000)
    if "url" in values:
        values["url"] = values["url"] or ""
    if "authors" in data:
        values["authors"] = _strings(data, "authors") or []
    if "year" in data:
        values["year"] = parsing.integer(data, "year", required=False)
    for name in ("starts_on", "ends_on", "deadline"):
        if name in data:
            values[name] = parsing.a_date(data, name, required=False)
    return values


def _event_id(data: dict):
    value = parsing.integer(data, "event_id", required=False, minimum=1)
    if value is not None and value > 2**31 - 1:
        raise bad_request("invalid_reference", "No such event.", field="event_id")
    return value


def _file(data: dict) -> tuple[str, bytes] | None:
    value = data.get("file")
    if value is None:
        return None
    if not isinstance(value, dict):
        raise bad_request(
            "invalid_type", '\'file\' must be {"filename", "content_base64"}.', field="file"
        )
    filename = parsing.string(value, "filename", max_length=255)
    encoded = parsing.string(value, "content_base64", max_length=60_000_000)
    try:
        return filename, base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise bad_request(
            "invalid_file", "'file.content_base64' is not base64.", field="file"
        ) from exc


def _visible(resource_id: int) -> Resource:
    resource = db.session.get(Resource, resource_id)
    if resource is None or not operations.can_view(resource, g.api_user):
        raise not_found("resource")
    return resource


@bp.route("/themes")
def api_themes():
    return jsonify(
        {
            "themes": [
                {"code": t.code, "name_nb": t.name_nb, "name_en": t.name_en}
                for t in theme_ops.all_themes()
            ]
        }
    )


@bp.route("/resources", methods=["GET"])
def api_list_resources():
    args = request.args
    data = {k: args.get(k) for k in ("kind", "language", "theme") if args.get(k)}
    kind = parsing.choice(data, "kind", rules.KINDS, required=False)
    language = parsing.choice(data, "language", rules.LANGUAGES, required=False)
    theme = data.get("theme")
    if theme is not None and theme not in {t.code for t in theme_ops.all_themes()}:
        raise bad_request("unknown_theme", MESSAGES["unknown_theme"], field="theme")
    numbers = {}
    for name in ("year", "page"):
        raw = args.get(name)
        if raw is None or raw == "":
            continue
        if not raw.isdigit() or len(raw) > 6:
            raise bad_request("invalid_type", f"'{name}' must be a whole number.", field=name)
        numbers[name] = int(raw)
    q = parsing.string({"q": args.get("q")}, "q", required=False, max_length=200)
    results = search.search(
        q,
        search.Filters(
            kind=kind,
            theme=theme,
            year=numbers.get("year"),
            language=language,
            upcoming_from=local_date() if kind == "conference" and not q else None,
        ),
        page=max(1, numbers.get("page", 1)),
    )
    return jsonify(
        {
            "resources": [resource_json(hit.resource) for hit in results.hits],
            "total": results.total,
            "page": results.page,
            "per_page": results.per_page,
        }
    )


@bp.route("/resources", methods=["POST"])
def api_create_resource():
    user = g.api_user
    data = parsing.body()
    for name in ("kind", "title"):
        if data.get(name) is None:
            raise bad_request("missing_field", f"'{name}' is required.", field=name)
    status = (
        parsing.choice(data, "status", ("draft", "submitted", "published"), required=False)
        or "submitted"
    )
    if status == "published" and not operations.is_organiser(user):
        raise forbidden("Only organisers publish directly; others submit ('status': 'submitted').")
    values = _values(data)
    themes = _strings(data, "themes") or []
    event_id = _event_id(data)
    upload = _file(data)
    try:
        resource = operations.create_resource(
            values, user, themes=themes, event_id=event_id, status=status
        )
        if upload:
            operations.attach_file(resource, *upload, user)
    except operations.ResourceError as exc:
        raise _error(exc) from exc
    return jsonify(resource_json(resource)), 201


@bp.route("/resources/<int:resource_id>", methods=["GET"])
def api_get_resource(resource_id):
    return jsonify(resource_json(_visible(resource_id)))


@bp.route("/resources/<int:resource_id>", methods=["PATCH"])
def api_update_resource(resource_id):
    user = g.api_user
    resource = _visible(resource_id)
    data = parsing.body()
    status = parsing.choice(data, "status", tuple(STATUS_ACTIONS), required=False)
    comment = parsing.string(data, "comment", required=False, max_length=2000) or ""
    values = _values(data)
    themes = _strings(data, "themes")
    upload = _file(data)
    try:
        if values or themes is not None or "event_id" in data or upload:
            operations.update_resource(
                resource,
                values,
                user,
                themes=themes,
                event_id=_event_id(data) if "event_id" in data else ...,
            )
        if upload:
            operations.attach_file(resource, *upload, user)
        if status is not None and status != resource.status.value:
            operations.move(resource, STATUS_ACTIONS[status], user, comment)
    except operations.ResourceError as exc:
        raise _error(exc) from exc
    return jsonify(resource_json(resource))


# --- the OpenAPI entries ----------------------------------------------------------------

DATE_OR_NULL = {"type": ["string", "null"], "format": "date"}
SCHEMAS["Theme"] = {
    "type": "object",
    "required": ["code", "name_nb", "name_en"],
    "properties": {
        "code": {"type": "string"},
        "name_nb": {"type": "string"},
        "name_en": {"type": "string"},
    },
}
SCHEMAS["Resource"] = {
    "type": "object",
    "required": [
        "id", "kind", "title", "summary", "authors", "year", "language", "themes", "url",
        "doi", "event_id", "file_url", "status", "starts_on", "ends_on", "location", "deadline",
    ],
    "properties": {
        "id": {"type": "integer"},
        "kind": {"enum": list(rules.KINDS)},
        "title": {"type": "string"},
        "summary": {"type": "string", "description": "Markdown"},
        "authors": {"type": "array", "items": {"type": "string"}},
        "year": {"type": ["integer", "null"]},
        "language": {"enum": list(rules.LANGUAGES)},
        "themes": {"type": "array", "items": {"type": "string"}, "description": "theme codes"},
        "url": {"type": ["string", "null"]},
        "doi": {"type": ["string", "null"], "pattern": "^10\\.[0-9]{4,9}/\\S+$"},
        "event_id": {"type": ["integer", "null"]},
        "organisation_id": {"type": ["integer", "null"]},
        "file_url": {"type": ["string", "null"]},
        "status": {"enum": list(rules.STATUSES)},
        "starts_on": DATE_OR_NULL,
        "ends_on": DATE_OR_NULL,
        "location": {"type": ["string", "null"]},
        "deadline": DATE_OR_NULL,
        "published_at": {"type": ["string", "null"], "format": "date-time"},
    },
}  # fmt: skip
SCHEMAS["ResourceInput"] = {
    "type": "object",
    "description": "POST needs kind and title; PATCH takes any subset. 'status': POST makes "
    "'submitted' unless given ('published' for organisers only); PATCH moves the record "
    "along draft → submitted → published → withdrawn ('draft' = send back, with a "
    "'comment'). A DOI is 10.<digits>/…, 'url' http(s), themes known codes. 'file' is "
    "checked by its content, not its name.",
    "properties": {
        **{
            name: schema
            for name, schema in SCHEMAS["Resource"]["properties"].items()
            if name not in {"id", "file_url", "organisation_id", "published_at"}
        },
        "comment": {"type": "string"},
        "file": {
            "type": "object",
            "required": ["filename", "content_base64"],
            "properties": {
                "filename": {"type": "string"},
                "content_base64": {"type": "string", "contentEncoding": "base64"},
            },
        },
    },
}
TOO_LARGE = {"413": _answer("The file is larger than the upload limit", _ref("Error"))}
RESOURCE_ID = [{"name": "resource_id", **ID}]
PATHS["/themes"] = {
    "get": {
        "summary": "The theme vocabulary",
        "responses": {"200": _answer("Themes", _list("themes", "Theme")), **ERRORS},
    }
}
PATHS["/resources"] = {
    "get": {
        "summary": "Search published resources (ranked when q is given)",
        "parameters": [
            {"name": "q", "in": "query", "schema": {"type": "string"}},
            {"name": "kind", "in": "query", "schema": {"enum": list(rules.KINDS)}},
            {"name": "theme", "in": "query", "schema": {"type": "string"}},
            {"name": "year", "in": "query", "schema": {"type": "integer"}},
            {"name": "language", "in": "query", "schema": {"enum": list(rules.LANGUAGES)}},
            {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
        ],
        "responses": {
            "200": _answer(
                "A page of resources",
                {
                    "type": "object",
                    "required": ["resources", "total", "page", "per_page"],
                    "properties": {
                        "resources": {"type": "array", "items": _ref("Resource")},
                        "total": {"type": "integer"},
                        "page": {"type": "integer"},
                        "per_page": {"type": "integer"},
                    },
                },
            ),
            **ERRORS,
        },
    },
    "post": {
        "summary": "Submit a resource (organisers may publish directly)",
        "requestBody": _json(_ref("ResourceInput")),
        "responses": {"201": _answer("Created", _ref("Resource")), **ERRORS, **TOO_LARGE},
    },
}
PATHS["/resources/{resource_id}"] = {
    "get": {
        "summary": "One resource (unpublished: organisers and the contributor)",
        "parameters": RESOURCE_ID,
        "responses": {"200": _answer("The resource", _ref("Resource")), **ERRORS},
    },
    "patch": {
        "summary": "Change a resource or move it along the publication flow",
        "parameters": RESOURCE_ID,
        "requestBody": _json(_ref("ResourceInput")),
        "responses": {"200": _answer("The resource", _ref("Resource")), **ERRORS, **TOO_LARGE},
    },
}
