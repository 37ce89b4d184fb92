"""Pages of the resource bank: search, a record, submitting and editing, the
organisers' queue, citations, the Atom feed and materials of events."""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import FileStorage

from eventsys.auth.access import event_organiser_required, role_required
from eventsys.auth.models import Role
from eventsys.database import local_date
from eventsys.events.models import Event
from eventsys.extensions import db
from eventsys.formerrors import attach
from eventsys.links import absolute
from eventsys.organisations.models import Organisation
from eventsys.resources import citations, feed, operations, search
from eventsys.resources.forms import (
    KIND_LABELS,
    LANGUAGE_LABELS,
    ConfirmForm,
    ImportForm,
    MoveForm,
    ResourceForm,
    SearchForm,
)
from eventsys.resources.messages import MESSAGES
from eventsys.resources.models import Resource, ResourceStatus
from eventsys.themes import operations as theme_ops

bp = Blueprint("resources", __name__)


@bp.app_template_filter("resource_kind")
def resource_kind_label(kind) -> str:
    return str(KIND_LABELS.get(str(kind), kind))


@bp.app_template_filter("language_name")
def language_name(code) -> str:
    return LANGUAGE_LABELS.get(str(code), str(code))


def error_message(code: str, detail: str = "") -> str:
    return MESSAGES(code, detail=detail)


def _upload_mb() -> int:
    from flask import current_app

    return current_app.config["UPLOAD_MAX_BYTES"] // (1024 * 1024)


def _user():
    return current_user._get_current_object() if current_user.is_authenticated else None


def _locale() -> str:
    return "en" if str(get_locale()) == "en" else "nb"


def _url_of(resource: Resource) -> str:
    return absolute("resources.show", resource_id=resource.id)


def _visible(resource_id: int) -> Resource:
    resource = db.session.get(Resource, resource_id)
    if resource is None or not operations.can_view(resource, _user()):
        abort(404)
    return resource


# --- search ----------------------------------------------------------------------------


def _search_form():
    """The search form from the query string, its filters, and whether they were valid."""
    form = SearchForm(formdata=request.args)
    themes = theme_ops.all_themes()
    locale = _locale()
    # The span of years from the index (two lookups), not a scan of every record.
    first, last = db.session.execute(select(func.min(Resource.year), func.max(Resource.year))).one()
    years = list(range(last, first - 1, -1)) if first and last else []
    # Only organisations with published resources; EXISTS per organisation uses the
    # index on resources.organisation_id instead of reading every resource.
    organisations = db.session.execute(
        select(Organisation.id, Organisation.name)
        .where(
            select(Resource.id)
            .where(
                Resource.organisation_id == Organisation.id,
                Resource.status == ResourceStatus.published,
            )
            .exists()
        )
        .order_by(Organisation.name)
    ).all()
    any_ = ("", _("All"))
    form.kind.choices = [any_] + [(k, str(v)) for k, v in KIND_LABELS.items()]
    form.theme.choices = [any_] + [(t.code, t.name(locale)) for t in themes]
    form.year.choices = [any_] + [(str(y), str(y)) for y in years]
    form.language.choices = [any_] + list(LANGUAGE_LABELS.items())
    form.organisation.choices = [any_] + [(str(i), n) for i, n in organisations]
    form.validate()
    values = {}
    for name in ("kind", "theme", "year", "language", "organisation"):
        value = getattr(form, name).data or ""
        if value and value not in dict(getattr(form, name).choices):
            if name == "year" and value.isdigit() and len(value) == 4:
                getattr(form, name).choices.append((value, value))
            else:
                getattr(form, name).errors = [_("Choose one of the options.")]
                value = ""
        values[name] = value or None
    filters = search.Filters(
        kind=values["kind"],
        theme=values["theme"],
        year=int(values["year"]) if values["year"] else None,
        language=values["language"],
        organisation_id=int(values["organisation"]) if values["organisation"] else None,
        upcoming_from=local_date() if values["kind"] == "conference" and not form.q.data else None,
    )
    return form, filters, themes


def _page() -> int:
    page = request.args.get("page", "1")
    return int(page) if page.isdigit() and 0 < int(page) < 10_000 else 1


@bp.route("/resources")
def index():
    form, filters, themes = _search_form()
    results = search.search(form.q.data, filters, page=_page())
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    status = 422 if any(f.errors for f in form) else 200
    return render_template(
        "resources/index.html",
        form=form,
        results=results,
        filters=filters,
        themes=themes,
        args=args,
        filtered=bool(args),
    ), status


@bp.route("/resources.atom")
def atom():
    theme_code = request.args.get("theme") or None
    theme = None
    if theme_code:
        theme = next((t for t in theme_ops.all_themes() if t.code == theme_code), None)
        if theme is None:
            abort(404)
    results = search.search(None, search.Filters(theme=theme_code), per_page=50)
    locale = _locale()
    title = _("New in the resource bank")
    if theme is not None:
        title += f": {theme.name(locale)}"
    body = feed.atom(
        title,
        absolute("resources.index") + (f"?theme={theme_code}" if theme_code else ""),
        absolute("resources.atom") + (f"?theme={theme_code}" if theme_code else ""),
        [hit.resource for hit in results.hits],
        _url_of,
        locale,
    )
    return Response(body, mimetype="application/atom+xml")


def _citable() -> list[Resource]:
    form, filters, _themes = _search_form()
    return [h.resource for h in search.search(form.q.data, filters, per_page=200).hits]


@bp.route("/resources.bib")
def results_bibtex():
    body = citations.to_bibtex(_citable(), _url_of)
    return Response(
        body,
        mimetype="application/x-bibtex",
        headers={"Content-Disposition": 'attachment; filename="ressurser.bib"'},
    )


@bp.route("/resources.csl.json")
def results_csl():
    items = [citations.to_csl(r, _url_of) for r in _citable()]
    return Response(
        json.dumps(items, ensure_ascii=False, indent=2),
        mimetype="application/vnd.citationstyles.csl+json",
        headers={"Content-Disposition": 'attachment; filename="ressurser.json"'},
    )


# --- one record ------------------------------------------------------------------------


@bp.route("/resources/<int:resource_id>")
def show(resource_id):
    resource = _visible(resource_id)
    user = _user()
    return render_template(
        "resources/show.html",
        resource=resource,
        can_edit=operations.can_edit(resource, user),
        organiser=operations.manages(resource, user),
        contributor=operations.is_contributor(resource, user),
        move_form=MoveForm(),
        locale=_locale(),
    )


@bp.route("/resources/<int:resource_id>.bib")
def bibtex(resource_id):
    resource = _visible(resource_id)
    return Response(citations.to_bibtex([resource], _url_of), mimetype="application/x-bibtex")


@bp.route("/resources/<int:resource_id>.csl.json")
def csl(resource_id):
    resource = _visible(resource_id)
    return Response(
        json.dumps([citations.to_csl(resource, _url_of)], ensure_ascii=False, indent=2),
        mimetype="application/vnd.citationstyles.csl+json",
    )


@bp.route("/resources/<int:resource_id>/file")
def download(resource_id):
    resource = _visible(resource_id)
    data = operations.file_bytes(resource)
    if data is None:
        abort(404)
    file = resource.file
    response = Response(data, mimetype=file.content_type)
    # Always a download: an uploaded file never runs as a page of this site.
    response.headers["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''{_quote(file.filename)}"
    )
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    if not resource.is_public:
        response.headers["Cache-Control"] = "private, no-store"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name, safe="")


# --- submitting and editing ------------------------------------------------------------


def _form_choices(form: ResourceForm) -> None:
    events = db.session.scalars(select(Event).order_by(Event.starts_at.desc()).limit(200)).all()
    organisations = db.session.scalars(select(Organisation).order_by(Organisation.name)).all()
    form.set_choices(theme_ops.all_themes(), events, organisations, _locale())


def _attach_error(form, error: operations.ResourceError) -> None:
    for field, code in error.problems:
        attach(form, field, error_message(code, error.detail))


def _form_page(form: ResourceForm, resource: Resource | None, user):
    status = 422 if form.errors or form.form_errors else 200
    return render_template(
        "resources/form.html",
        form=form,
        resource=resource,
        # An event's hosts publish its materials as organisers do.
        organiser=operations.manages(resource, user)
        if resource
        else operations.organises_event(user, _event_of(form)),
        upload_mb=_upload_mb(),
    ), status


def _event_of(form: ResourceForm) -> int | None:
    value = str(form.event_id.data or "")
    return int(value) if value.isdigit() and len(value) < 10 else None


def _organisation_id(form: ResourceForm) -> int | None:
    value = form.organisation_id.data or ""
    return int(value) if value.isdigit() and len(value) < 10 else None


def _uploaded(form: ResourceForm):
    upload = form.file.data
    # Filled from the record (obj=resource) when nothing was uploaded: not an upload.
    if not isinstance(upload, FileStorage) or not upload.filename:
        return None
    return upload.filename, upload.read()


@bp.route("/resources/new", methods=["GET", "POST"])
@login_required
def new():
    user = _user()
    form = ResourceForm()
    _form_choices(form)
    if not form.is_submitted():
        form.language.data = _locale()
        if request.args.get("event", "").isdigit():
            form.event_id.data = request.args["event"]
        if request.args.get("kind") in KIND_LABELS:
            form.kind.data = request.args["kind"]
    if form.validate_on_submit():
        action = request.form.get("action", "submit")
        status = {"draft": "draft", "publish": "published"}.get(action, "submitted")
        try:
            resource = operations.create_resource(
                form.values(),
                user,
                themes=form.themes.data or [],
                event_id=form.event_id.data or None,
                organisation_id=_organisation_id(form),
                status=status,
            )
            upload = _uploaded(form)
            if upload:
                operations.attach_file(resource, *upload, user)
        except operations.ResourceError as exc:
            db.session.rollback()
            _form_choices(form)
            _attach_error(form, exc)
        else:
            flash(
                {
                    "draft": _("The draft is saved."),
                    "submitted": _(
                        "Thank you! An organiser will look at it before it is published."
                    ),
                    "published": _("The resource is published."),
                }[status],
                "success",
            )
            return redirect(url_for("resources.show", resource_id=resource.id))
    return _form_page(form, None, user)


@bp.route("/resources/<int:resource_id>/edit", methods=["GET", "POST"])
@login_required
def edit(resource_id):
    user = _user()
    resource = _visible(resource_id)
    if not operations.can_edit(resource, user):
        abort(403)
    form = ResourceForm(obj=resource)
    _form_choices(form)
    if not form.is_submitted():
        form.kind.data = resource.kind.value
        form.authors.data = "\n".join(resource.authors or [])
        form.themes.data = resource.theme_codes
        form.event_id.data = str(resource.event_id or "")
        form.organisation_id.data = str(resource.organisation_id or "")
        form.doi.data = resource.doi or ""
    if form.validate_on_submit():
        try:
            operations.update_resource(
                resource,
                form.values(),
                user,
                themes=form.themes.data or [],
                event_id=form.event_id.data or None,
                organisation_id=_organisation_id(form),
            )
            upload = _uploaded(form)
            if upload:
                operations.attach_file(resource, *upload, user)
        except operations.ResourceError as exc:
            db.session.rollback()
            resource = _visible(resource_id)
            _form_choices(form)
            _attach_error(form, exc)
        else:
            flash(_("The resource is saved."), "success")
            return redirect(url_for("resources.show", resource_id=resource.id))
    return _form_page(form, resource, user)


@bp.route(
    "/resources/<int:resource_id>/<any(submit, publish, send_back, withdraw):action>",
    methods=["POST"],
)
@login_required
def move(resource_id, action):
    resource = _visible(resource_id)
    form = MoveForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        operations.move(resource, action, _user(), form.comment.data or "")
    except operations.ResourceError as exc:
        if exc.code == "not_allowed":
            abort(403)
        db.session.rollback()
        flash(error_message(exc.code), "error")
        return redirect(url_for("resources.show", resource_id=resource_id))
    flash(
        {
            "submit": _("Sent to the organisers."),
            "publish": _("The resource is published."),
            "send_back": _("Sent back to the contributor with your comment."),
            "withdraw": _("The resource is withdrawn."),
        }[action],
        "success",
    )
    if action in ("publish", "send_back"):
        return redirect(url_for("resources.queue"))
    return redirect(url_for("resources.show", resource_id=resource_id))


# --- organisers ------------------------------------------------------------------------


@bp.route("/organiser/resources")
@role_required(Role.organiser)
def queue():
    waiting = db.session.scalars(
        select(Resource)
        .where(Resource.status == ResourceStatus.submitted)
        .options(selectinload(Resource.contributor), selectinload(Resource.themes))
        .order_by(Resource.created_at)
    ).all()
    recent = db.session.scalars(
        select(Resource)
        .where(Resource.status.in_([ResourceStatus.draft, ResourceStatus.withdrawn]))
        .order_by(Resource.updated_at.desc())
        .limit(50)
    ).all()
    return render_template(
        "resources/queue.html",
        waiting=waiting,
        others=recent,
        move_form=MoveForm(),
        import_form=ImportForm(),
    )


@bp.route("/organiser/resources/import", methods=["POST"])
@role_required(Role.organiser)
def import_bibtex():
    form = ImportForm()
    upload = form.file.data if form.validate_on_submit() else None
    if upload is None or not getattr(upload, "filename", ""):
        flash(_("Choose a BibTeX file."), "error")
        return redirect(url_for("resources.queue"))
    raw = upload.read()
    try:
        records, failed = citations.from_bibtex(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, citations.ImportProblem):
        flash(_("The file could not be read as BibTeX (UTF-8)."), "error")
        return redirect(url_for("resources.queue"))
    created, skipped = 0, failed
    for record in records:
        record.pop("key", None)
        try:
            with db.session.begin_nested():
                operations.create_resource(record, _user(), status="draft")
            created += 1
        except operations.ResourceError:
            skipped += 1
    flash(
        _(
            "%(n)d records imported as drafts; %(skipped)d could not be read.",
            n=created,
            skipped=skipped,
        ),
        "success" if created else "error",
    )
    return redirect(url_for("resources.queue"))


@bp.route("/organiser/events/<int:event_id>/materials/notify", methods=["POST"])
@event_organiser_required
def notify_materials(event_id):
    event = db.session.get(Event, event_id)
    if event is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        sent = operations.notify_materials(event, _user())
    except operations.ResourceError as exc:
        db.session.rollback()
        flash(error_message(exc.code), "error")
    else:
        flash(_("%(n)d participants are told that the materials are ready.", n=sent), "success")
    return redirect(url_for("events.show", event_id=event_id))


# --- on the event page -----------------------------------------------------------------


def event_materials_section(event: Event) -> Markup:
    """The event page's "Materials" section (and last year's), rendered here so the
    events package need not know about resources."""
    previous = operations.previous_edition(event)
    ids = [event.id] + ([previous.id] if previous else [])
    materials = operations.materials_of(ids)
    user = _user()
    return Markup(
        render_template(
            "resources/_event_materials.html",
            event=event,
            materials=materials[event.id],
            previous=previous,
            previous_materials=materials.get(previous.id, []) if previous else [],
            organiser=operations.organises_event(user, event.id),
            notice=operations.materials_notice(event.id),
            confirm_form=ConfirmForm(),
        )
    )


@bp.record_once
def _on_event_page(state) -> None:
    from eventsys.resources.calendar import conference_entries, event_materials

    state.app.extensions.setdefault("event_page_sections", []).append(event_materials_section)
    state.app.extensions.setdefault("arshjul_public_sources", []).append(conference_entries)
    state.app.extensions.setdefault("arshjul_event_materials", []).append(event_materials)
