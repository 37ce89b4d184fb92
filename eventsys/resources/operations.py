"""Operations on the resource bank. They take the acting user, flush, queue e-mails
and never commit (the request or command does)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict
from datetime import date

from flask import current_app
from sqlalchemy import exists, select

from eventsys import database, mail
from eventsys.auth.access import organises
from eventsys.auth.models import Role, User
from eventsys.database import local_date, utcnow
from eventsys.events.models import Event
from eventsys.extensions import db
from eventsys.links import absolute
from eventsys.organisations.models import Organisation
from eventsys.registration.models import Registration
from eventsys.registration.rules import State
from eventsys.resources import files, rules, search
from eventsys.resources.models import (
    MaterialsNotice,
    Resource,
    ResourceFile,
    ResourceKind,
    ResourceLog,
    ResourceStatus,
)
from eventsys.resources.storage import storage
from eventsys.themes import operations as theme_ops

EDITABLE = (
    "kind",
    "title",
    "summary",
    "authors",
    "year",
    "language",
    "url",
    "doi",
    "starts_on",
    "ends_on",
    "location",
    "deadline",
)
CONFERENCE_ONLY = ("starts_on", "ends_on", "location", "deadline")


class ResourceError(Exception):
    """Problems the user can fix: a list of (field, code)."""

    def __init__(self, problems: list[tuple[str, str]], detail: str = ""):
        super().__init__(", ".join(code for _f, code in problems))
        self.problems = problems
        self.detail = detail

    @property
    def code(self) -> str:
        return self.problems[0][1]

    @property
    def field(self) -> str:
        return self.problems[0][0]


def is_organiser(user: User | None) -> bool:
    return user is not None and user.has_role(Role.organiser)


def is_contributor(resource: Resource, user: User | None) -> bool:
    return user is not None and resource.contributor_id == user.id


def organises_event(user: User | None, event_id: int | None) -> bool:
    """Organiser rights for material of this event: organisers, and the event's hosts
    (auth.access.organises); for a record of no event, organisers alone."""
    if event_id is None:
        return is_organiser(user)
    return organises(user, event_id)


def manages(resource: Resource, user: User | None) -> bool:
    """Who acts as an organiser for this record: organisers for every record, an
    event's hosts for the materials of that event."""
    return organises_event(user, resource.event_id)


def can_view(resource: Resource, user: User | None) -> bool:
    """Published records are public; the others only for those who manage them and
    the contributor."""
    return resource.is_public or manages(resource, user) or is_contributor(resource, user)


def can_edit(resource: Resource, user: User | None) -> bool:
    return rules.may_edit(
        resource.status.value,
        organiser=manages(resource, user),
        contributor=is_contributor(resource, user),
    )


def _clean(values: dict) -> dict:
    clean = {k: v for k, v in values.items() if k in EDITABLE}
    for key in ("title", "summary", "url", "location"):
        if key in clean:
            clean[key] = (clean[key] or "").strip()
    if "authors" in clean:
        authors = clean["authors"] or []
        if isinstance(authors, str):
            authors = authors.replace(";", "\n").splitlines()
        clean["authors"] = [" ".join(str(a).split()) for a in authors if str(a).strip()]
    if "doi" in clean:
        clean["doi"] = rules.normalise_doi(clean["doi"])
    if clean.get("kind") is not None:
        clean["kind"] = str(clean["kind"])
    return clean


def _current(resource: Resource) -> dict:
    values = {key: getattr(resource, key) for key in EDITABLE}
    values["kind"] = resource.kind.value
    values["authors"] = list(resource.authors or [])
    return values


def _check(values: dict) -> rules.Fields:
    fields = rules.Fields(**{k: values.get(k) for k in EDITABLE if values.get(k) is not None})
    found = rules.problems(fields, local_date().year)
    if found:
        raise ResourceError(found)
    return fields


def _event_id(event_id) -> int | None:
    if event_id in (None, ""):
        return None
    event = db.session.get(Event, int(event_id))
    if event is None:
        raise ResourceError([("event_id", "unknown_event")])
    return event.id


def _log(resource: Resource, actor: User | None, action: str, comment: str = "", changes=None):
    db.session.add(
        ResourceLog(
            resource=resource,
            actor_id=actor.id if actor else None,
            action=action,
            comment=comment,
            changes=changes or {},
        )
    )


def _jsonable(changes: dict) -> dict:
    def plain(value):
        if isinstance(value, date):
            return value.isoformat()
        return value

    return {k: [plain(old), plain(new)] for k, (old, new) in changes.items()}


def create_resource(
    values: dict,
    by: User | None,
    *,
    themes: list[str] | None = None,
    event_id=None,
    organisation_id: int | None = None,
    status: str = "submitted",
) -> Resource:
    """A new record. Organisers may create it published directly, and so may an
    event's hosts the materials of their event; anyone else creates a draft or submits
    it for an organiser to publish."""
    if status not in ("draft", "submitted", "published"):
        raise ResourceError([("status", "invalid_choice")])
    if status == "published" and not organises_event(by, _event_id(event_id)):
        raise ResourceError([("status", "not_allowed")])
    clean = _clean(values)
    clean.setdefault("kind", "")
    clean.setdefault("title", "")
    fields = _check(clean)
    try:
        chosen = theme_ops.by_codes(themes or [])
    except theme_ops.ThemeError as exc:
        raise ResourceError([("themes", "unknown_theme")]) from exc
    if organisation_id is not None and db.session.get(Organisation, organisation_id) is None:
        raise ResourceError([("organisation_id", "unknown_organisation")])
    data = asdict(fields)
    if data["kind"] != "conference":
        for key in CONFERENCE_ONLY:
            data[key] = "" if key == "location" else None
    resource = Resource(
        **(data | {"kind": ResourceKind(data["kind"])}),
        status=ResourceStatus(status),
        themes=chosen,
        event_id=_event_id(event_id),
        organisation_id=organisation_id,
        contributor_id=by.id if by else None,
        published_at=utcnow() if status == "published" else None,
    )
    db.session.add(resource)
    db.session.flush()
    _log(resource, by, "created")
    if status != "draft":
        _log(resource, by, status)
    search.reindex(resource)
    db.session.flush()
    return resource


def update_resource(
    resource: Resource,
    changes: dict,
    by: User | None,
    *,
    themes: list[str] | None = None,
    event_id=...,
    organisation_id=...,
) -> Resource:
    """Change a record; the log keeps who changed which field from what to what.
    `event_id` and `organisation_id` change only when given (None clears them)."""
    if not can_edit(resource, by):
        raise ResourceError([("resource", "not_allowed")])
    before = _current(resource)
    merged = before | _clean(changes)
    fields = _check(merged)
    after = asdict(fields)
    if after["kind"] != "conference":
        after |= {"starts_on": None, "ends_on": None, "location": "", "deadline": None}
    diff = rules.changes(before, after)
    if themes is not None:
        try:
            chosen = theme_ops.by_codes(themes)
        except theme_ops.ThemeError as exc:
            raise ResourceError([("themes", "unknown_theme")]) from exc
        old_codes = resource.theme_codes
        if [t.code for t in chosen] != old_codes:
            diff["themes"] = [old_codes, [t.code for t in chosen]]
            resource.themes = chosen
    if event_id is not ...:
        new_event = _event_id(event_id)
        unpublished_own = is_contributor(resource, by) and resource.status in (
            ResourceStatus.draft,
            ResourceStatus.submitted,
        )
        if new_event != resource.event_id and not (
            is_organiser(by) or unpublished_own or organises_event(by, new_event)
        ):
            # A host moves a record only to an event they organise too.
            raise ResourceError([("event_id", "not_allowed")])
        if new_event != resource.event_id:
            diff["event_id"] = [resource.event_id, new_event]
            resource.event_id = new_event
    if organisation_id is not ... and organisation_id != resource.organisation_id:
        if organisation_id is not None and db.session.get(Organisation, organisation_id) is None:
            raise ResourceError([("organisation_id", "unknown_organisation")])
        diff["organisation_id"] = [resource.organisation_id, organisation_id]
        resource.organisation_id = organisation_id
    for key, (_old, new) in diff.items():
        if key in EDITABLE:
            setattr(resource, key, ResourceKind(new) if key == "kind" else new)
    if diff:
        _log(resource, by, "edited", changes=_jsonable(diff))
        search.reindex(resource)
    db.session.flush()
    return resource


def move(resource: Resource, action: str, by: User | None, comment: str = "") -> Resource:
    """One step of the publication flow (submit, publish, send_back, withdraw), logged."""
    try:
        target = rules.next_status(
            resource.status.value,
            action,
            organiser=manages(resource, by),
            contributor=is_contributor(resource, by),
        )
    except rules.TransitionError as exc:
        raise ResourceError([("status", exc.code)]) from exc
    comment = (comment or "").strip()
    if action == "send_back" and not comment:
        raise ResourceError([("comment", "comment_required")])
    resource.status = ResourceStatus(target)
    if target == "published" and resource.published_at is None:
        resource.published_at = utcnow()
    search.reindex(resource)  # in the index while published, out of it otherwise
    _log(resource, by, action, comment)
    someone_else = resource.contributor_id != (by.id if by else None)
    if action in ("publish", "send_back") and resource.contributor is not None and someone_else:
        mail.queue(
            resource.contributor.email,
            f"resources/{action}",
            locale=resource.contributor.locale,
            resource=resource,
            comment=comment,
            url=absolute("resources.show", resource_id=resource.id),
        )
    db.session.flush()
    return resource


def attach_file(resource: Resource, filename: str, data: bytes, by: User | None) -> ResourceFile:
    """Store an upload after checking its content; replaces an earlier file."""
    if not can_edit(resource, by):
        raise ResourceError([("file", "not_allowed")])
    try:
        checked = files.check_upload(filename, data, current_app.config["UPLOAD_MAX_BYTES"])
    except files.UploadError as exc:
        raise ResourceError([("file", f"file_{exc.code}")], exc.detail) from exc
    store = storage()
    old = resource.file
    if old is not None:
        store.delete(old.storage_key)
        resource.file = None
        db.session.flush()
    stored = ResourceFile(
        filename=checked.filename,
        content_type=checked.content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        storage_key=store.put(data),
        text=files.extract_text(checked.extension, data),
        uploaded_by_id=by.id if by else None,
    )
    resource.file = stored
    _log(resource, by, "file", changes={"file": [old.filename if old else None, stored.filename]})
    db.session.flush()
    search.reindex(resource)
    return stored


def file_bytes(resource: Resource) -> bytes | None:
    return None if resource.file is None else storage().get(resource.file.storage_key)


# --- materials from events -------------------------------------------------------------


def materials_of(event_ids: list[int]) -> dict[int, list[Resource]]:
    """Published resources per event, in one query."""
    found: dict[int, list[Resource]] = {e: [] for e in event_ids}
    if not event_ids:
        return found
    for resource in db.session.scalars(
        select(Resource)
        .where(Resource.event_id.in_(event_ids), Resource.status == ResourceStatus.published)
        .order_by(Resource.title)
    ):
        found[resource.event_id].append(resource)
    return found


def _series(title: str) -> str:
    return " ".join(re.sub(r"\b(19|20)\d{2}\b", " ", title.lower()).split())


def previous_edition(event: Event) -> Event | None:
    """Last year's event of the same series: the same kind and the same title once
    years are taken out, that started 9–15 months before this one."""
    return previous_editions([event])[event.id]


def previous_editions(events: list[Event]) -> dict[int, Event | None]:
    """previous_edition() of several events, from one query (the årshjul asks for a
    year of entries at once)."""
    found: dict[int, Event | None] = {e.id: None for e in events}
    if not events:
        return found
    earliest = min(e.starts_at for e in events)
    candidates = sorted(
        db.session.scalars(
            select(Event).where(
                Event.kind.in_({e.kind for e in events}),
                Event.starts_at < max(e.starts_at for e in events),
                Event.starts_at >= earliest.replace(year=earliest.year - 2),
            )
        ),
        key=lambda e: e.starts_at,
        reverse=True,
    )
    for event in events:
        series = _series(event.title)
        for candidate in candidates:
            if candidate.id == event.id or candidate.kind != event.kind:
                continue
            if candidate.starts_at >= event.starts_at:
                continue
            months = (event.starts_at - candidate.starts_at).days / 30.4
            if 9 <= months <= 15 and _series(candidate.title) == series:
                found[event.id] = candidate
                break
    return found


def materials_notice(event_id: int) -> MaterialsNotice | None:
    return db.session.get(MaterialsNotice, event_id)


def notify_materials(event: Event, by: User | None) -> int:
    """E-mail "the materials are ready" to the event's participants, once per event.
    Returns how many were told; ResourceError when it was sent before or there is
    nothing to tell about."""
    if not materials_of([event.id])[event.id]:
        raise ResourceError([("event", "no_materials")])
    if db.session.scalar(select(exists().where(MaterialsNotice.event_id == event.id))):
        raise ResourceError([("event", "already_notified")])
    notice = MaterialsNotice(event_id=event.id, sent_by_id=by.id if by else None)
    if not database.add_once(notice):  # another host sent it a moment ago
        raise ResourceError([("event", "already_notified")])
    recipients = list(
        db.session.scalars(
            select(Registration).where(
                Registration.event_id == event.id,
                Registration.state.in_([State.CONFIRMED.value, State.ATTENDED.value]),
            )
        )
    )
    materials = materials_of([event.id])[event.id]
    url = absolute("events.show", event_id=event.id)
    for reg in recipients:
        mail.queue(
            reg.email,
            "resources/materials_ready",
            locale=reg.locale,
            reg=reg,
            event=event,
            materials=materials,
            url=url,
        )
    notice.recipients = len(recipients)
    db.session.flush()
    return len(recipients)


def upcoming_conferences(today: date) -> list[Resource]:
    return list(
        db.session.scalars(
            select(Resource)
            .where(
                Resource.kind == ResourceKind.conference,
                Resource.status == ResourceStatus.published,
                Resource.starts_on.is_not(None),
                Resource.starts_on >= today.replace(year=today.year - 1),
            )
            .order_by(Resource.starts_on)
        )
    )
