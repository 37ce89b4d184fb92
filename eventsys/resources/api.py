"""The resource bank in the JSON API (/api/v1): the themes and resources. One set of
schemas reads requests, writes answers and makes the OpenAPI document (see README,
"Adding an API endpoint"). The app factory imports this module, so the API package
never imports the bank."""

from __future__ import annotations

import base64
import binascii

from flask import g

from eventsys.api import ApiError, bad_request, bp, forbidden, not_found
from eventsys.api import fields as f
from eventsys.api.schemas import ApiSchema, requiring
from eventsys.database import local_date
from eventsys.extensions import db
from eventsys.links import absolute
from eventsys.messages import COMMON, field_message
from eventsys.resources import operations, rules, search
from eventsys.resources.messages import MESSAGES
from eventsys.resources.models import Resource
from eventsys.themes import operations as theme_ops

# The status a client asks for, as a step of the publication flow.
STATUS_ACTIONS = {
    "submitted": "submit",
    "published": "publish",
    "draft": "send_back",
    "withdrawn": "withdraw",
}


# --- schemas (component names are global: prefixed) ------------------------------------


class Theme(ApiSchema):
    code = f.Text(50, required=True)
    name_nb = f.Text(120, required=True)
    name_en = f.Text(120, required=True)


class ThemeList(ApiSchema):
    themes = f.List(f.Nested(Theme), required=True)


class ResourceFileInput(ApiSchema):
    filename = f.Text(255, required=True)
    content_base64 = f.Text(
        60_000_000,
        required=True,
        metadata={"contentEncoding": "base64", "description": "checked by content, not name"},
    )


class ResourceFields(ApiSchema):
    kind = f.Choice(rules.KINDS)
    title = f.Text(300)
    summary = f.Text(50_000, metadata={"description": "Markdown"})
    authors = f.List(f.Text(200))
    year = f.Integer(allow_none=True)
    language = f.Choice(rules.LANGUAGES)
    themes = f.List(f.Text(50), metadata={"description": "codes from GET /themes"})
    url = f.Text(1000, allow_none=True, metadata={"description": "http(s)"})
    doi = f.Text(200, allow_none=True, metadata={"description": "10.<digits>/…"})
    event_id = f.Id(allow_none=True)
    starts_on = f.Day(allow_none=True, metadata={"description": "conferences"})
    ends_on = f.Day(allow_none=True, metadata={"description": "conferences"})
    location = f.Text(300, allow_none=True, metadata={"description": "conferences"})
    deadline = f.Day(allow_none=True, metadata={"description": "conferences: submissions"})


class ResourceCreate(requiring(ResourceFields, ("kind", "title"), "ResourceCreateBase")):
    """A new record: 'submitted' unless status says otherwise ('published' is for
    organisers)."""

    status = f.Choice(("draft", "submitted", "published"), allow_none=True)
    file = f.Nested(ResourceFileInput)


class ResourceChange(ResourceFields):
    """Any subset of the fields; status moves the record along draft → submitted →
    published → withdrawn ('draft' sends it back, with a comment)."""

    status = f.Choice(rules.STATUSES)
    comment = f.Text(2000)
    file = f.Nested(ResourceFileInput)


def _file_url(resource: Resource):
    if resource.file is None:
        return None
    return absolute("resources.download", resource_id=resource.id)


class ResourceSchema(ApiSchema):  # documented as "Resource"
    id = f.Id(required=True)
    kind = f.Choice(rules.KINDS, required=True)
    title = f.Text(300, required=True)
    summary = f.Text(50_000, required=True)
    authors = f.List(f.Text(200), required=True)
    year = f.Integer(required=True, allow_none=True)
    language = f.Choice(rules.LANGUAGES, required=True)
    themes = f.Derived(f.List(f.Text(50), required=True), lambda r: r.theme_codes)
    url = f.Derived(f.Text(1000, required=True, allow_none=True), lambda r: r.url or None)
    doi = f.Text(200, required=True, allow_none=True)
    event_id = f.Id(required=True, allow_none=True)
    organisation_id = f.Id(allow_none=True)
    file_url = f.Derived(f.Text(2000, required=True, allow_none=True), _file_url)
    status = f.Choice(rules.STATUSES, required=True)
    starts_on = f.Day(required=True, allow_none=True)
    ends_on = f.Day(required=True, allow_none=True)
    location = f.Derived(f.Text(300, required=True, allow_none=True), lambda r: r.location or None)
    deadline = f.Day(required=True, allow_none=True)
    published_at = f.Moment(allow_none=True)


class ResourceFilter(ApiSchema):
    q = f.Text(200)
    kind = f.Choice(rules.KINDS)
    theme = f.Text(50)
    year = f.Integer(minimum=1, maximum=9999)
    language = f.Choice(rules.LANGUAGES)
    page = f.Integer(minimum=1, maximum=10_000)


class ResourcePage(ApiSchema):
    resources = f.List(f.Nested(ResourceSchema), required=True)
    total = f.Integer(minimum=0, required=True)
    page = f.Integer(minimum=1, required=True)
    per_page = f.Integer(minimum=1, required=True)


# --- helpers -----------------------------------------------------------------------------

TOO_LARGE = {
    "413": {
        "description": "The file is larger than the upload limit",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
}


def _error(exc: operations.ResourceError) -> ApiError:
    field, code = exc.problems[0]
    if code == "not_allowed":
        return forbidden(MESSAGES("not_allowed"))
    status = 413 if code == "file_too_large" else 409 if code == "wrong_state" else 400
    return ApiError(
        status,
        code,
        field_message(field, code, MESSAGES) if field else MESSAGES(code, detail=exc.detail),
        {"field": field, "problems": [{"field": f_, "code": c} for f_, c in exc.problems]},
    )


def _values(data: dict) -> dict:
    values = {k: data[k] for k in ResourceFields._declared_fields if k in data}
    for key in ("themes", "event_id"):
        values.pop(key, None)
    if "url" in values:
        values["url"] = values["url"] or ""
    if "location" in values:
        values["location"] = values["location"] or ""
    return values


def _upload(data: dict) -> tuple[str, bytes] | None:
    file = data.get("file")
    if not file:
        return None
    try:
        return file["filename"], base64.b64decode(file["content_base64"], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise bad_request(
            "invalid_file", field_message("file", "invalid_file", MESSAGES), field="file"
        ) from exc


def _visible(resource_id: int) -> Resource:
    resource = db.session.get(Resource, resource_id)
    if resource is None or not operations.can_view(resource, g.api_user):
        raise not_found(COMMON("not_found"))
    return resource


# --- endpoints ---------------------------------------------------------------------------


@bp.route("/themes", methods=["GET"])
@bp.response(200, ThemeList)
@bp.doc(summary="The theme vocabulary (codes with bokmål and English names)")
def list_themes():
    return {"themes": theme_ops.all_themes()}


@bp.route("/resources", methods=["GET"])
@bp.arguments(ResourceFilter, location="query")
@bp.response(200, ResourcePage)
@bp.doc(summary="Search published resources (ranked when q is given; newest first otherwise)")
def list_resources(args):
    theme = args.get("theme")
    if theme is not None and theme not in {t.code for t in theme_ops.all_themes()}:
        raise bad_request(
            "unknown_theme", field_message("theme", "unknown_theme", MESSAGES), field="theme"
        )
    q, kind = args.get("q"), args.get("kind")
    results = search.search(
        q,
        search.Filters(
            kind=kind,
            theme=theme,
            year=args.get("year"),
            language=args.get("language"),
            upcoming_from=local_date() if kind == "conference" and not q else None,
        ),
        page=args.get("page", 1),
    )
    return {
        "resources": [hit.resource for hit in results.hits],
        "total": results.total,
        "page": results.page,
        "per_page": results.per_page,
    }


@bp.route("/resources", methods=["POST"])
@bp.arguments(ResourceCreate)
@bp.response(201, ResourceSchema)
@bp.doc(summary="Submit a resource (organisers may publish directly)", responses=TOO_LARGE)
def create_resource(data):
    user = g.api_user
    status = data.get("status") or "submitted"
    event_id = data.get("event_id")
    if status == "published" and not operations.organises_event(
        user, event_id if isinstance(event_id, int) else None
    ):
        raise forbidden(MESSAGES("publish_organisers_only"))
    upload = _upload(data)
    try:
        resource = operations.create_resource(
            _values(data),
            user,
            themes=data.get("themes") or [],
            event_id=data.get("event_id"),
            status=status,
        )
        if upload:
            operations.attach_file(resource, *upload, user)
    except operations.ResourceError as exc:
        raise _error(exc) from exc
    return resource


@bp.route("/resources/<int:resource_id>", methods=["GET"])
@bp.response(200, ResourceSchema)
@bp.doc(summary="One resource (unpublished ones: organisers and the contributor)")
def get_resource(resource_id):
    return _visible(resource_id)


@bp.route("/resources/<int:resource_id>", methods=["PATCH"])
@bp.arguments(ResourceChange)
@bp.response(200, ResourceSchema)
@bp.doc(summary="Change a resource, or move it along the publication flow", responses=TOO_LARGE)
def update_resource(data, resource_id):
    user = g.api_user
    resource = _visible(resource_id)
    # Only those who may change the record (an organiser, the contributor before it
    # is published) get further, whatever the body asks for.
    if not operations.can_edit(resource, user):
        raise forbidden(MESSAGES("not_allowed"))
    upload = _upload(data)
    values = _values(data)
    try:
        if values or "themes" in data or "event_id" in data:
            operations.update_resource(
                resource,
                values,
                user,
                themes=data.get("themes"),
                event_id=data.get("event_id", ...),
            )
        if upload:
            operations.attach_file(resource, *upload, user)
        status = data.get("status")
        if status is not None and status != resource.status.value:
            operations.move(resource, STATUS_ACTIONS[status], user, data.get("comment") or "")
    except operations.ResourceError as exc:
        raise _error(exc) from exc
    return resource
