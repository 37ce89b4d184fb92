"""Resource persons, profiles, the directory, event hosts and gatherings for resource
persons only. Operations flush; the caller commits."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from eventsys.auth.models import Role, User
from eventsys.clock import local_date
from eventsys.database import lock_for_update
from eventsys.events.models import Event
from eventsys.extensions import db
from eventsys.organisations.models import Organisation, Ownership, OwnershipRole
from eventsys.people import rules
from eventsys.people.models import EventHost, PersonProfile, ResourcePerson, ResourcePersonsOnly
from eventsys.themes.models import Theme
from eventsys.themes.operations import ThemeError, by_codes


class PeopleError(Exception):
    def __init__(self, code: str, field: str | None = None, status: int = 400):
        super().__init__(code)
        self.code = code
        self.field = field
        self.status = status


def _user_by_email(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == (email or "").strip().lower()))
    if user is None:
        raise PeopleError("unknown_user", "email", 404)
    return user


def _as_rule(row: ResourcePerson) -> rules.Appointment:
    return rules.Appointment(row.id, row.organisation_id, row.user_id, row.valid_from, row.valid_to)


# --- resource persons -------------------------------------------------------------------


def owner_period(organisation: Organisation, day: date) -> Ownership | None:
    """The organisation's owner period covering `day`."""
    return db.session.scalar(
        select(Ownership).where(
            Ownership.organisation_id == organisation.id,
            Ownership.role == OwnershipRole.owner,
            Ownership.valid_from <= day,
            Ownership.valid_to >= day,
        )
    )


def appoint(
    actor: User,
    organisation: Organisation,
    email: str,
    valid_from: date | None = None,
    valid_to: date | None = None,
) -> ResourcePerson:
    """Appoint the owner's resource person for a period (by default the ownership
    period running today). One that runs into the period ends the day before."""
    if not actor.has_role(Role.admin):
        raise PeopleError("forbidden", status=403)
    user = _user_by_email(email)
    # One appointment at a time per organisation, on every host.
    db.session.scalar(
        lock_for_update(select(Organisation.id).where(Organisation.id == organisation.id))
    )
    if valid_from is None or valid_to is None:
        period = owner_period(organisation, valid_from or local_date())
        if period is None:
            raise PeopleError("not_an_owner", "valid_from")
        valid_from = valid_from or max(period.valid_from, local_date())
        valid_to = valid_to or period.valid_to
    existing = db.session.scalars(
        select(ResourcePerson).where(ResourcePerson.organisation_id == organisation.id)
    ).all()
    try:
        changed, _new = rules.appoint(
            [_as_rule(r) for r in existing],
            rules.Appointment(0, organisation.id, user.id, valid_from, valid_to),
        )
    except rules.AppointmentError as exc:
        raise PeopleError(exc.code, "valid_from", 409 if exc.code == "overlap" else 400) from None
    rows = {r.id: r for r in existing}
    for c in changed:
        rows[c.id].valid_to = c.valid_to
    appointment = ResourcePerson(
        organisation_id=organisation.id,
        user_id=user.id,
        valid_from=valid_from,
        valid_to=valid_to,
        appointed_by_id=actor.id,
    )
    db.session.add(appointment)
    db.session.flush()
    return appointment


def history(organisation_id: int) -> list[ResourcePerson]:
    return list(
        db.session.scalars(
            select(ResourcePerson)
            .where(ResourcePerson.organisation_id == organisation_id)
            .options(selectinload(ResourcePerson.user))
            .order_by(ResourcePerson.valid_from.desc(), ResourcePerson.id.desc())
        )
    )


def _all_appointments() -> list[ResourcePerson]:
    return list(
        db.session.scalars(
            select(ResourcePerson).options(
                selectinload(ResourcePerson.user), selectinload(ResourcePerson.organisation)
            )
        )
    )


def current_appointments(day: date | None = None) -> list[ResourcePerson]:
    day = day or local_date()
    rows = _all_appointments()
    by_id = {r.id: r for r in rows}
    now = rules.current([_as_rule(r) for r in rows], day)
    return sorted((by_id[a.id] for a in now.values()), key=lambda r: r.organisation.name)


def owners(day: date | None = None) -> list[Organisation]:
    day = day or local_date()
    return list(
        db.session.scalars(
            select(Organisation)
            .where(
                Organisation.id.in_(
                    select(Ownership.organisation_id).where(
                        Ownership.role == OwnershipRole.owner,
                        Ownership.valid_from <= day,
                        Ownership.valid_to >= day,
                    )
                )
            )
            .order_by(Organisation.name)
        )
    )


def owners_without_resource_person(day: date | None = None) -> list[Organisation]:
    """Owners today that have no resource person for today: flagged to admins."""
    day = day or local_date()
    found = owners(day)
    missing = set(
        rules.owners_without([o.id for o in found], [_as_rule(r) for r in _all_appointments()], day)
    )
    return [o for o in found if o.id in missing]


def is_resource_person(user: User | None, day: date | None = None) -> bool:
    if user is None or not getattr(user, "is_authenticated", True):
        return False
    day = day or local_date()
    return (
        db.session.scalar(
            select(ResourcePerson.id).where(
                ResourcePerson.user_id == user.id,
                ResourcePerson.valid_from <= day,
                ResourcePerson.valid_to >= day,
            )
        )
        is not None
    )


# --- profiles and the directory ---------------------------------------------------------


def profile_of(user: User) -> PersonProfile:
    """The person's profile (a new, unsaved one if they have none)."""
    found = db.session.scalar(select(PersonProfile).where(PersonProfile.user_id == user.id))
    return found or PersonProfile(user_id=user.id, user=user, contact_consent=False)


def save_profile(user: User, values: dict) -> PersonProfile:
    profile = profile_of(user)
    region = values.get("region") or ""
    if region and region not in rules.REGIONS:
        raise PeopleError("unknown_region", "region")
    try:
        profile.themes = by_codes(values.get("themes") or [])
    except ThemeError:
        raise PeopleError("unknown_theme", "themes") from None
    profile.title = (values.get("title") or "").strip()[:200]
    profile.region = region
    profile.bio = (values.get("bio") or "").strip()[:5000]
    profile.phone = (values.get("phone") or "").strip()[:40]
    profile.contact_email = (values.get("contact_email") or "").strip()[:320]
    profile.contact_consent = bool(values.get("contact_consent"))
    if name := (values.get("name") or "").strip():
        user.name = name[:200]
    db.session.add(profile)
    db.session.flush()
    return profile


def directory(
    theme: str | None = None, organisation_id: int | None = None, region: str | None = None
):
    """Today's resource persons with their profiles, filtered; a list of
    (appointment, profile or None)."""
    rows = current_appointments()
    profiles = {
        p.user_id: p
        for p in db.session.scalars(
            select(PersonProfile)
            .where(PersonProfile.user_id.in_([r.user_id for r in rows]))
            .options(selectinload(PersonProfile.themes))
        )
    }
    found = []
    for row in rows:
        profile = profiles.get(row.user_id)
        if organisation_id and row.organisation_id != organisation_id:
            continue
        if region and (profile is None or profile.region != region):
            continue
        if theme and (profile is None or theme not in {t.code for t in profile.themes}):
            continue
        found.append((row, profile))
    return found


def all_themes() -> list[Theme]:
    return list(db.session.scalars(select(Theme).order_by(Theme.position, Theme.id)))


# --- event hosts and gatherings for resource persons ------------------------------------


def hosts_of(event_id: int) -> list[EventHost]:
    return list(
        db.session.scalars(
            select(EventHost)
            .where(EventHost.event_id == event_id)
            .options(joinedload(EventHost.user))
            .order_by(EventHost.id)
        )
    )


def is_host(user: User | None, event_id: int) -> bool:
    if user is None or not getattr(user, "is_authenticated", True):
        return False
    return (
        db.session.scalar(
            select(EventHost.id).where(EventHost.event_id == event_id, EventHost.user_id == user.id)
        )
        is not None
    )


def hosted_event_ids(user: User):
    """A SELECT of the ids of the events `user` hosts (to use inside another query)."""
    return select(EventHost.event_id).where(EventHost.user_id == user.id)


def hosted_events(user: User) -> list[Event]:
    return list(
        db.session.scalars(
            select(Event)
            .join(EventHost, EventHost.event_id == Event.id)
            .where(EventHost.user_id == user.id)
            .order_by(Event.starts_at.desc())
        )
    )


def add_host(actor: User, event: Event, email: str) -> EventHost:
    if not actor.has_role(Role.organiser):
        raise PeopleError("forbidden", status=403)
    user = _user_by_email(email)
    found = db.session.scalar(
        select(EventHost).where(EventHost.event_id == event.id, EventHost.user_id == user.id)
    )
    if found is not None:
        return found
    host = EventHost(event_id=event.id, user_id=user.id, user=user, added_by_id=actor.id)
    db.session.add(host)
    db.session.flush()
    return host


def remove_host(actor: User, host: EventHost) -> None:
    if not actor.has_role(Role.organiser):
        raise PeopleError("forbidden", status=403)
    db.session.delete(host)
    db.session.flush()


def for_resource_persons_only(event_id: int) -> bool:
    return db.session.get(ResourcePersonsOnly, event_id) is not None


def limit_to_resource_persons(actor: User, event: Event, limited: bool) -> None:
    if not actor.has_role(Role.organiser):
        raise PeopleError("forbidden", status=403)
    row = db.session.get(ResourcePersonsOnly, event.id)
    if limited and row is None:
        db.session.add(ResourcePersonsOnly(event_id=event.id))
    elif not limited and row is not None:
        db.session.delete(row)
    db.session.flush()
