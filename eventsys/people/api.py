"""API: the directory, appointing resource persons, an event's hosts."""

from __future__ import annotations

from flask import g

from eventsys.api import ApiError, bp, forbidden, not_found, requires
from eventsys.api import fields as f
from eventsys.api.schemas import ApiSchema
from eventsys.auth.access import organises
from eventsys.auth.models import Role
from eventsys.events.models import Event
from eventsys.extensions import db
from eventsys.organisations.models import Organisation
from eventsys.people import operations
from eventsys.people.messages import MESSAGES


class PersonEntry(ApiSchema):
    user_id = f.Id(required=True)
    name = f.Text(200, required=True)
    title = f.Text(200, required=True)
    organisation_id = f.Id(required=True)
    organisation = f.Text(200, required=True)
    region = f.Text(20, required=True)
    themes = f.List(f.Text(50), required=True)
    bio = f.Text(5000, required=True, metadata={"description": "Markdown"})
    valid_from = f.Day(required=True)
    valid_to = f.Day(required=True)
    email = f.Text(320, required=True, allow_none=True, metadata={"description": "with consent"})
    phone = f.Text(40, required=True, allow_none=True, metadata={"description": "with consent"})


class PeopleList(ApiSchema):
    people = f.List(f.Nested(PersonEntry), required=True)


class PeopleFilter(ApiSchema):
    theme = f.Text(50)
    organisation = f.Integer(minimum=1, maximum=2**31 - 1)
    region = f.Choice(("nord", "midt", "vest", "sor", "ost"))


class ResourcePersonInput(ApiSchema):
    email = f.Email(required=True)
    valid_from = f.Day(allow_none=True)
    valid_to = f.Day(allow_none=True)


class ResourcePerson(ApiSchema):
    id = f.Id(required=True)
    organisation_id = f.Id(required=True)
    user_id = f.Id(required=True)
    email = f.Derived(f.Text(320, required=True), lambda r: r.user.email)
    valid_from = f.Day(required=True)
    valid_to = f.Day(required=True)


class HostInput(ApiSchema):
    email = f.Email(required=True)


class Host(ApiSchema):
    user_id = f.Id(required=True)
    email = f.Derived(f.Text(320, required=True), lambda h: h.user.email)
    name = f.Derived(f.Text(200, required=True), lambda h: h.user.name)


class HostList(ApiSchema):
    hosts = f.List(f.Nested(Host), required=True)


def _entry(appointment, profile) -> dict:
    consent = profile is not None and profile.contact_consent
    return {
        "user_id": appointment.user_id,
        "name": appointment.user.name,
        "title": profile.title if profile else "",
        "organisation_id": appointment.organisation_id,
        "organisation": appointment.organisation.name,
        "region": profile.region if profile else "",
        "themes": [t.code for t in profile.themes] if profile else [],
        "bio": profile.bio if profile else "",
        "valid_from": appointment.valid_from,
        "valid_to": appointment.valid_to,
        "email": (profile.contact_email or appointment.user.email) if consent else None,
        "phone": (profile.phone or None) if consent else None,
    }


def _refused(exc: operations.PeopleError) -> ApiError:
    return ApiError(exc.status, exc.code, MESSAGES(exc.code))


@bp.route("/people", methods=["GET"])
@bp.arguments(PeopleFilter, location="query")
@bp.response(200, PeopleList)
@bp.doc(summary="Today's resource persons (the directory), filtered")
def list_people(filters):
    found = operations.directory(
        theme=filters.get("theme"),
        organisation_id=filters.get("organisation"),
        region=filters.get("region"),
    )
    return {"people": [_entry(a, p) for a, p in found]}


@bp.route("/organisations/<int:organisation_id>/resource-persons", methods=["POST"])
@requires(Role.admin)
@bp.arguments(ResourcePersonInput)
@bp.response(201, ResourcePerson)
@bp.doc(summary="Appoint the owner's resource person for a period (admins)")
def appoint_resource_person(data, organisation_id):
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        raise not_found()
    try:
        return operations.appoint(
            g.api_user, organisation, data["email"], data.get("valid_from"), data.get("valid_to")
        )
    except operations.PeopleError as exc:
        raise _refused(exc) from exc


def _event(event_id: int) -> Event:
    event = db.session.get(Event, event_id)
    if event is None:
        raise not_found()
    return event


@bp.route("/events/<int:event_id>/hosts", methods=["GET"])
@bp.response(200, HostList)
@bp.doc(summary="The event's hosts (its organisers and hosts)")
def list_hosts(event_id):
    event = _event(event_id)
    if not organises(g.api_user, event.id):
        raise forbidden()
    return {"hosts": operations.hosts_of(event.id)}


@bp.route("/events/<int:event_id>/hosts", methods=["POST"])
@requires(Role.organiser)
@bp.arguments(HostInput)
@bp.response(201, Host)
@bp.doc(summary="Make a person host of the event (organisers)")
def add_host(data, event_id):
    try:
        return operations.add_host(g.api_user, _event(event_id), data["email"])
    except operations.PeopleError as exc:
        raise _refused(exc) from exc
