"""Operations on registrations. Each one locks the event row before it counts seats,
asks `rules` what changes, applies that, logs it and queues the e-mails. They flush and
never commit: the request (or the tick step) commits once."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import event as sa_event
from sqlalchemy import func, literal, select, text, tuple_
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import selectinload

from eventsys import database, mail
from eventsys.auth.models import Role, User
from eventsys.auth.operations import normalise_email
from eventsys.database import UTCDateTime, local_date, utcnow
from eventsys.events import operations as event_ops
from eventsys.events import rules as event_rules
from eventsys.events.models import Event, EventStatus
from eventsys.extensions import db
from eventsys.organisations import operations as org_ops
from eventsys.organisations import rules as org_rules
from eventsys.registration import rules, signals
from eventsys.registration.models import ACTIVE_STATES, Registration, RegistrationLog
from eventsys.registration.rules import State


class RegistrationError(Exception):
    """Refused: `code` is stable (the API's error code), the views translate it."""

    def __init__(self, code: str, status: int = 409):
        super().__init__(code)
        self.code = code
        self.status = status


@dataclass(frozen=True)
class Person:
    """Who is registered: an account, or an address an organiser vouches for."""

    email: str
    name: str = ""
    user: User | None = None
    vouched: bool = False  # an organiser registered them: the address counts as verified
    locale: str = "nb"


# --- reading -------------------------------------------------------------------------


def event_facts(event: Event) -> rules.EventFacts:
    return rules.EventFacts(
        capacity=event.capacity,
        priority_deadline=event.priority_deadline,
        starts_at=event.starts_at,
        offer_hours=event.offer_hours,
        priority_closed=event.priority_closed_at is not None,
    )


def active_registrations(event_id: int) -> list[Registration]:
    return list(
        db.session.scalars(
            select(Registration)
            .where(Registration.event_id == event_id, Registration.state.in_(ACTIVE_STATES))
            .order_by(Registration.id)
            .execution_options(populate_existing=True)
        )
    )


#: What the rules know of a registration (see _reg_of).
_RULE_COLUMNS = (
    Registration.id,
    Registration.tier,
    Registration.state,
    Registration.registered_at,
    Registration.offer_expires_at,
    Registration.queue_at,
)


def rule_view(event_id: int) -> list[rules.Reg]:
    """The event's active registrations as the rules see them: a plain column query,
    much cheaper than loading entities (this runs inside the event lock)."""
    rows = db.session.execute(
        select(*_RULE_COLUMNS)
        .where(Registration.event_id == event_id, Registration.state.in_(ACTIVE_STATES))
        .order_by(Registration.id)
    )
    return [_reg_of(row) for row in rows]


#: The waiting states as SQL text, the very condition of the partial index
#: ix_registrations_queue (a planner only uses a partial index for a query whose
#: condition contains the index's own).
_WAITING_SQL = text("registrations.state IN ('pending', 'waitlisted')")


def _reg_of(row) -> rules.Reg:
    return rules.Reg(
        id=row.id,
        tier=row.tier,
        state=row.state,
        registered_at=row.registered_at,
        offer_expires_at=row.offer_expires_at,
        sort_at=row.queue_at if row.queue_at != row.registered_at else None,
    )


def seats_and_queue(event_id: int, tier: int, at: datetime) -> tuple[int, int]:
    """Seats in use, and how many wait ahead of a newcomer of `tier` arriving at `at`
    (after every registration there is): two counts in one statement, each over its
    own index (the seats over (event, state), those ahead over the queue index)."""
    held = (
        select(func.count())
        .select_from(Registration)
        .where(
            Registration.event_id == event_id,
            Registration.state.in_([s.value for s in rules.SEAT_HOLDING]),
        )
        .scalar_subquery()
    )
    ahead = (
        select(func.count())
        .select_from(Registration)
        .where(
            Registration.event_id == event_id,
            _WAITING_SQL,
            (Registration.tier < tier)
            | ((Registration.tier == tier) & (Registration.queue_at <= at)),
        )
        .scalar_subquery()
    )
    row = db.session.execute(select(held, ahead)).one()
    return row[0], row[1]


def queue_head(event_id: int, size: int) -> list[rules.Reg]:
    """The first `size` of the waiting list in queue order, from the queue index."""
    rows = db.session.execute(
        select(*_RULE_COLUMNS)
        .where(Registration.event_id == event_id, _WAITING_SQL)
        .order_by(Registration.tier, Registration.queue_at, Registration.id)
        .limit(size)
    )
    return [_reg_of(row) for row in rows]


def position_of(reg: Registration) -> int | None:
    """One registration's waiting-list place (as `positions` gives it), by counting
    who comes before it in the queue index instead of loading the list."""
    if reg.state not in rules.WAITING:
        return None
    known = _known_places().get(reg.id)
    if known is not None and not _registrations_changed():
        return known
    ahead = db.session.scalar(
        select(func.count())
        .select_from(Registration)
        .where(
            Registration.event_id == reg.event_id,
            _WAITING_SQL,
            tuple_(Registration.tier, Registration.queue_at, Registration.id)
            < tuple_(literal(reg.tier), literal(reg.queue_at, UTCDateTime), literal(reg.id)),
        )
    )
    place = ahead + 1
    _known_places()[reg.id] = place
    return place


# A place counted once is known until the transaction ends or a registration changes:
# a new registration's e-mail and the API's answer need it both, under the event's lock.
_PLACES = "eventsys.registration.places"


def _known_places() -> dict[int, int]:
    return db.session.info.setdefault(_PLACES, {})


def _registrations_changed() -> bool:
    session = db.session
    return any(isinstance(row, Registration) for row in (*session.new, *session.dirty))


@sa_event.listens_for(OrmSession, "after_flush")
def _forget_places_after_a_change(session, _context):
    if any(
        isinstance(row, Registration) for row in (*session.new, *session.dirty, *session.deleted)
    ):
        session.info.pop(_PLACES, None)


@sa_event.listens_for(OrmSession, "after_transaction_end")
def _forget_places_at_the_end(session, transaction):
    if transaction.parent is None:
        session.info.pop(_PLACES, None)


def rule_views(event_ids) -> dict[int, list[rules.Reg]]:
    """rule_view() of several events at once (a person's own list), in one query."""
    event_ids = list(event_ids)
    if not event_ids:
        return {}
    rows = db.session.execute(
        select(Registration.event_id, *_RULE_COLUMNS)
        .where(Registration.event_id.in_(event_ids), Registration.state.in_(ACTIVE_STATES))
        .order_by(Registration.id)
    )
    views: dict[int, list[rules.Reg]] = {event_id: [] for event_id in event_ids}
    for row in rows:
        views[row.event_id].append(_reg_of(row))
    return views


def positions(event_id: int) -> dict[int, int]:
    """Waiting-list place (1-based) by registration id, for waitlisted and pending."""
    return rules.positions(rule_view(event_id))


def positions_for(event_ids) -> dict[int, int]:
    """positions() of several events at once (a person's own list), in one query."""
    event_ids = list(event_ids)
    if not event_ids:
        return {}
    rows = db.session.execute(
        select(
            Registration.event_id,
            Registration.id,
            Registration.tier,
            Registration.state,
            Registration.registered_at,
            Registration.queue_at,
        ).where(
            Registration.event_id.in_(event_ids),
            Registration.state.in_([s.value for s in rules.WAITING]),
        )
    )
    waiting: dict[int, list[rules.Reg]] = {}
    for event_id, reg_id, tier, state, registered_at, queue_at in rows:
        waiting.setdefault(event_id, []).append(
            rules.Reg(
                id=reg_id,
                tier=tier,
                state=state,
                registered_at=registered_at,
                sort_at=queue_at if queue_at != registered_at else None,
            )
        )
    places: dict[int, int] = {}
    for regs in waiting.values():
        places.update(rules.positions(regs))
    return places


def counts(event_id: int) -> tuple[int, int]:
    """(seats held, people waiting) for an event."""
    regs = rule_view(event_id)
    return rules.seats_held(regs), len(rules.waiting_list(regs))


def seat_counts(event_ids: list[int]) -> dict[int, tuple[int, int]]:
    """(seats held, people waiting) per event, in one query for a whole list."""
    result = {event_id: (0, 0) for event_id in event_ids}
    if not event_ids:
        return result
    rows = db.session.execute(
        select(Registration.event_id, Registration.state, func.count())
        .where(
            Registration.event_id.in_(event_ids),
            Registration.state.in_([s.value for s in rules.ACTIVE]),
        )
        .group_by(Registration.event_id, Registration.state)
    )
    for event_id, state, number in rows:
        held, waiting = result[event_id]
        if state in rules.SEAT_HOLDING:
            held += number
        else:
            waiting += number
        result[event_id] = (held, waiting)
    return result


def fee_due(event: Event, reg: Registration) -> int:
    """Tier 1 attends free; tier 2 pays the event's fee unless it is waived."""
    return rules.fee_due(reg.tier, event.fee, reg.fee_waived)


def fee_for_tier(event: Event, tier: int) -> int:
    """The fee someone not yet registered would pay with this tier."""
    return rules.fee_due(tier, event.fee, False)


def tier_for(person: Person, event: Event) -> org_rules.Affiliation:
    """The person's priority for this event, decided on the event's start date."""
    facts = org_ops.person_facts(person.user, person.email, vouched=person.vouched)
    organisations = org_ops.organisation_facts_for(facts)
    return org_rules.affiliation(facts, organisations, local_date(event.starts_at))


def find_active(event_id: int, email: str) -> Registration | None:
    return db.session.scalar(
        select(Registration).where(
            Registration.event_id == event_id,
            Registration.email == normalise_email(email),
            Registration.state.in_(ACTIVE_STATES),
        )
    )


# --- guards: who may see and do what, for pages and API alike ---------------------------


def _signed_in(user) -> bool:
    return user is not None and bool(getattr(user, "is_authenticated", False))


def owned_by(user: User):
    """SQL condition: the person's registrations are the ones made with their account,
    and those an organiser made for their address once they have verified it."""
    condition = Registration.user_id == user.id
    if user.email_verified:
        condition = condition | (Registration.email == user.email)
    return condition


def is_owner(reg: Registration, user) -> bool:
    """The same rule as owned_by(), for one registration in memory."""
    if not _signed_in(user):
        return False
    return reg.user_id == user.id or (user.email_verified and reg.email == user.email)


def registration_for(reg_id: int, user, *staff: Role) -> Registration:
    """The registration if `user` owns it or has one of the `staff` roles; otherwise
    registration_not_found (404), so nobody learns that someone else's exists."""
    reg = db.session.get(Registration, reg_id)
    if reg is None or not (
        is_owner(reg, user) or (staff and _signed_in(user) and user.has_role(*staff))
    ):
        raise RegistrationError("registration_not_found", 404)
    return reg


def row_actions(event: Event, reg: Registration) -> frozenset[str]:
    """What an organiser may do with this registration (see rules.row_actions)."""
    return rules.row_actions(reg.state, reg.tier, event.fee, reg.fee_waived)


def sees_online_link(event: Event, user, registration: Registration | None = None) -> bool:
    """The online link is for organisers and for people with a seat (or who attended),
    never for the public. `registration` is the viewer's own, when known already."""
    if not _signed_in(user):
        return False
    if user.has_role(Role.organiser):
        return True
    if registration is None:
        registration = db.session.scalar(
            select(Registration)
            .where(
                Registration.event_id == event.id,
                owned_by(user),
                Registration.state.in_([s.value for s in rules.SEES_ONLINE_LINK]),
            )
            .limit(1)
        )
    return registration is not None and registration.state in rules.SEES_ONLINE_LINK


def events_with_online_link(user, event_ids: list[int]) -> set[int]:
    """sees_online_link() for a whole list of events, in one query."""
    if not _signed_in(user) or not event_ids:
        return set()
    if user.has_role(Role.organiser):
        return set(event_ids)
    return set(
        db.session.scalars(
            select(Registration.event_id).where(
                Registration.event_id.in_(event_ids),
                owned_by(user),
                Registration.state.in_([s.value for s in rules.SEES_ONLINE_LINK]),
            )
        )
    )


@dataclass(frozen=True)
class Viewer:
    """What the event page tells a signed-in person about themselves."""

    affiliation: org_rules.Affiliation
    tier: int  # their registration's tier, or the one they would get
    fee: int  # what they pay (or would pay)
    tier_changed: bool  # registered without priority, but they have it now
    registration: Registration | None  # their active registration, else the latest
    position: int | None
    fee_due: int | None


def viewer(event: Event, user: User) -> Viewer:
    """The signed-in person's standing at the event: the tier and fee they have, or
    would get if they registered now (a registration keeps the tier it was made with;
    an organiser's confirmation changes it)."""
    affiliation = tier_for(Person(email=user.email, name=user.name, user=user), event)
    mine = list(
        db.session.scalars(
            select(Registration)
            .where(Registration.event_id == event.id, owned_by(user))
            .order_by(Registration.registered_at.desc())
        )
    )
    registration = next((r for r in mine if r.is_active), mine[0] if mine else None)
    active = registration is not None and registration.is_active
    tier = registration.tier if active else affiliation.tier
    return Viewer(
        affiliation=affiliation,
        tier=tier,
        fee=fee_due(event, registration) if active else fee_for_tier(event, tier),
        tier_changed=active and registration.tier == 2 and affiliation.tier == 1,
        registration=registration,
        position=positions(event.id).get(registration.id) if active else None,
        fee_due=fee_due(event, registration) if registration else None,
    )


# --- applying the rules' answers -----------------------------------------------------


def _log(
    reg: Registration, action: str, before: str | None, actor: User | None, reason: str = ""
) -> None:
    db.session.add(
        RegistrationLog(
            registration_id=reg.id,
            action=action,
            from_state=before,
            to_state=reg.state.value,
            actor_id=actor.id if actor else None,
            reason=reason,
        )
    )


def _set_state(
    reg: Registration, state: State, offer_expires_at: datetime | None, now: datetime
) -> None:
    reg.state = state
    reg.offer_expires_at = offer_expires_at if state == State.OFFERED else None
    if state == State.CONFIRMED and reg.confirmed_at is None:
        reg.confirmed_at = now
    if state == State.CANCELLED:
        reg.cancelled_at = now


def _apply(
    event: Event,
    changes,
    now: datetime,
    actor: User | None,
    action: str,
    notify_cancelled: str | None = None,
) -> list[Registration]:
    """Apply the rules' changes, log them and tell the people concerned."""
    changes = list(changes)
    if not changes:
        return []
    by_id = {
        r.id: r
        for r in db.session.scalars(
            select(Registration)
            .where(Registration.id.in_([c.reg_id for c in changes]))
            .execution_options(populate_existing=True)
        )
    }
    changed = []
    for change in changes:
        reg = by_id[change.reg_id]
        before = reg.state.value
        _set_state(reg, change.new_state, change.offer_expires_at, now)
        _log(reg, action, before, actor)
        changed.append(reg)
    db.session.flush()
    for reg in changed:
        if reg.state == State.CONFIRMED:
            signals.seat_taken.send(reg, event=event, now=now)
    places = positions(event.id) if any(r.state in rules.WAITING for r in changed) else {}
    for reg in changed:
        if reg.state == State.CANCELLED:
            if notify_cancelled:
                notify(reg, notify_cancelled)
        else:
            notify(reg, reg.state.value, places.get(reg.id))
    return changed


def notify(reg: Registration, template: str, place: int | None = None) -> None:
    """E-mail the participant about their registration, in their language. Drawn by
    the mail worker when it is sent (_registration_message): the request, which holds
    the event's lock, only stores which message it is."""
    mail.queue_drawn(
        reg.email, "registration", registration_id=reg.id, template=template, place=place
    )


@mail.message_maker("registration")
def _registration_message(registration_id: int, template: str, place: int | None) -> dict | None:
    reg = db.session.get(Registration, registration_id)
    if reg is None:
        return None  # deleted (personal data) before the message went out
    event = reg.event
    attachments = None
    checkin_link = None
    if template == "confirmed":
        # E.g. the event for the participant's calendar (the årshjul listens), and the
        # QR code to show at the door (inline in the HTML part).
        from eventsys.registration import checkin

        attachments = [
            *signals.attachments_for(reg),
            ("innsjekking.png", "image/png", checkin.qr_png(reg), checkin.QR_CONTENT_ID),
        ]
        checkin_link = checkin.link_for(reg)
    base = current_app.config["EVENTSYS_BASE_URL"]
    return {
        "template": f"registration/{template}",
        "locale": reg.locale,
        "attachments": attachments,
        "reg": reg,
        "event": event,
        "position": place,
        "fee": fee_due(event, reg),
        "event_url": base + f"/events/{event.id}",
        "account_url": base + "/account/registrations",
        "ticket_url": base + f"/account/registrations/{reg.id}/ticket",
        "checkin_link": checkin_link,
    }


# --- operations ----------------------------------------------------------------------


def _locked_event(event_id: int) -> Event:
    event = event_ops.lock_event(event_id)
    if event is None:
        raise RegistrationError("event_not_found", 404)
    return event


def register(
    event_id: int,
    person: Person,
    actor: User | None,
    *,
    dietary_needs: str = "",
    accessibility_needs: str = "",
    override: bool = False,
    waive_fee: bool = False,
    now: datetime | None = None,
) -> Registration:
    """Register a person for an event.

    A participant may register while registration is open for a published event; an
    organiser (`actor` with the organiser role) may register someone at any time before
    the event ends, waive the fee and, with `override`, confirm beyond capacity.
    Raises RegistrationError: event_not_found, event_not_open, registration_closed,
    already_registered.
    """
    by_organiser = _on_behalf(person, actor)
    # The affiliation needs no lock (it reads organisations, not seats): decide it
    # first and keep the locked part short.
    unlocked = db.session.get(Event, event_id)
    if unlocked is None:
        raise RegistrationError("event_not_found", 404)
    affiliation = tier_for(person, unlocked)
    # Also read before the lock: a duplicate that commits meanwhile is refused by the
    # unique index when the row goes in (_insert).
    existing = find_active(event_id, person.email)
    event = _locked_event(event_id)
    # The time is read under the lock: the order of registration times is the order in
    # which seats were counted, so first come, first served holds under load.
    now = now or utcnow()
    _check_open(event, existing is not None, by_organiser, now)
    # Packages above registration may refuse (people: a gathering for resource persons
    # only); each receiver answers an error code or None.
    for _receiver, refused in signals.admission.send(
        event, person=person, by_organiser=by_organiser
    ):
        if refused:
            raise RegistrationError(refused, 403)
    facts = event_facts(event)
    held, ahead = seats_and_queue(event.id, affiliation.tier, now)
    head = queue_head(event.id, rules.queue_head_size(facts, held))
    # Decided before the row goes in, so that it goes in once, as decided: the
    # newcomer's time was read under the lock and its id will be the highest, so in
    # the queue it comes last of its tier, where an id above every other puts it.
    decision = rules.admit(
        facts,
        held,
        head,
        rules.NewRequest(id=_NEWCOMER, tier=affiliation.tier, at=now),
        override=override and by_organiser,
    )
    reg = _insert(
        event,
        person,
        affiliation,
        now,
        decision,
        actor=actor if by_organiser else None,
        dietary_needs=dietary_needs,
        accessibility_needs=accessibility_needs,
        fee_waived=waive_fee and by_organiser,
    )
    if reg.state in rules.WAITING and not decision.changes:
        # Nobody else moved: its place is behind those counted ahead of it.
        _known_places()[reg.id] = ahead + 1
    _seat(event, reg, decision, actor, now)
    return reg


_NEWCOMER = 2**62  # an id no registration has: after every other in the queue


def _on_behalf(person: Person, actor: User | None) -> bool:
    """An organiser registering somebody else (not themselves)."""
    return (
        actor is not None
        and actor.has_role(Role.organiser)
        and (person.user is None or actor.id != person.user.id)
    )


def _check_open(event: Event, registered: bool, by_organiser: bool, now: datetime) -> None:
    """Registration is open for this person now (checked under the event's lock)."""
    if event.status != EventStatus.published:
        raise RegistrationError("event_not_open")
    if by_organiser:
        if now >= event.ends_at:
            raise RegistrationError("registration_closed")
    elif not event_rules.registration_is_open(
        event.registration_opens_at, event.registration_closes_at, now
    ):
        raise RegistrationError("registration_closed")
    if registered:
        raise RegistrationError("already_registered")


def _insert(
    event: Event,
    person: Person,
    affiliation: org_rules.Affiliation,
    now: datetime,
    decision: rules.Decision,
    *,
    actor: User | None,
    dietary_needs: str,
    accessibility_needs: str,
    fee_waived: bool,
) -> Registration:
    """The new row in the state the rules decided, with its log entry; a concurrent
    duplicate (refused by the partial unique index) is already_registered."""
    reg = Registration(
        event_id=event.id,
        user_id=person.user.id if person.user else None,
        email=normalise_email(person.email),
        name=person.name or (person.user.name if person.user else ""),
        locale=person.user.locale if person.user else person.locale,
        state=State.WAITLISTED,
        tier=affiliation.tier,
        tier_reason=affiliation.reason.value,
        organisation_id=affiliation.organisation.id if affiliation.organisation else None,
        registered_at=now,
        queue_at=now,
        dietary_needs=dietary_needs.strip(),
        accessibility_needs=accessibility_needs.strip(),
        fee_waived=fee_waived,
        registered_by_id=actor.id if actor else None,
        payment=None,  # none yet: the answer and the fee signal need not look for one
    )
    _set_state(reg, decision.state, decision.offer_expires_at, now)
    reg.over_capacity = decision.exceeds_capacity
    if not database.add_once(reg):  # the partial unique index: one active per person
        raise RegistrationError("already_registered")
    _log(reg, "register", None, actor, "override" if decision.exceeds_capacity else "")
    return reg


def _seat(
    event: Event,
    reg: Registration,
    decision: rules.Decision,
    actor: User | None,
    now: datetime,
) -> None:
    """What follows a new registration (in the state decided): the changes it causes
    to others, the fee signal and the e-mails."""
    if reg.state == State.CONFIRMED:
        signals.seat_taken.send(reg, event=event, now=now)
    _apply(event, decision.changes, now, actor, "seat_freed")
    notify(reg, reg.state.value, position_of(reg))


def _for_registration(reg_id: int) -> tuple[Event, Registration, list[rules.Reg]]:
    """Load a registration's event under its lock, then the registrations (fresh)."""
    reg = db.session.get(Registration, reg_id)
    if reg is None:
        raise RegistrationError("registration_not_found", 404)
    event = _locked_event(reg.event_id)
    regs = rule_view(event.id)
    db.session.refresh(reg)
    return event, reg, regs


def _rule_call(fn, *args):
    try:
        return fn(*args)
    except rules.RuleError as exc:
        raise RegistrationError(exc.code) from exc


def cancel(reg_id: int, actor: User | None, now: datetime | None = None) -> Registration:
    """Cancel a registration; its seat is offered to the next on the waiting list."""
    now = now or utcnow()
    event, reg, regs = _for_registration(reg_id)
    if now >= event.starts_at:
        raise RegistrationError("event_started")
    changes = _rule_call(rules.cancel, event_facts(event), regs, reg.id, now)
    signals.registration_cancelled.send(reg, event=event, now=now)
    _apply(event, changes, now, actor, "cancel", notify_cancelled="cancelled")
    return reg


def update_needs(
    reg_id: int,
    dietary_needs: str,
    accessibility_needs: str,
    actor: User | None,
    now: datetime | None = None,
) -> Registration:
    """Change the dietary and accessibility needs of an active registration before
    the event ends. The log says that they changed, never what they are (health data
    stays in one place, and is deleted with the registration's needs).
    Raises RegistrationError: registration_not_found, needs_closed."""
    now = now or utcnow()
    reg = db.session.get(Registration, reg_id, with_for_update=True)
    if reg is None:
        raise RegistrationError("registration_not_found", 404)
    if not rules.needs_editable(reg.state, reg.event.ends_at, now):
        raise RegistrationError("needs_closed")
    reg.dietary_needs = dietary_needs.strip()
    reg.accessibility_needs = accessibility_needs.strip()
    _log(reg, "needs_changed", reg.state.value, actor)
    db.session.flush()
    return reg


def mark_attendance(
    reg_id: int, attended: bool | None, actor: User | None, now: datetime | None = None
) -> Registration:
    """From check-in time (shortly before the start) on, a confirmed participant is
    marked as attended or as a no-show; `None` undoes either (back to confirmed, e.g. a
    mistaken tap at the door)."""
    now = now or utcnow()
    event, reg, _regs = _for_registration(reg_id)
    if not rules.attendance_open(event.starts_at, now):
        raise RegistrationError("event_not_started")
    if reg.state not in (State.CONFIRMED, State.ATTENDED, State.NO_SHOW):
        raise RegistrationError("not_confirmed")
    before = reg.state.value
    if attended is None:
        reg.state = State.CONFIRMED
    else:
        reg.state = State.ATTENDED if attended else State.NO_SHOW
    if reg.state.value != before:
        _log(reg, "attendance", before, actor)
    db.session.flush()
    return reg


def release_seat(reg_id: int, now: datetime) -> None:
    """An unpaid seat goes back (the caller holds the event lock and tells the person)."""
    event = _locked_event(db.session.get(Registration, reg_id).event_id)
    changes = rules.cancel(event_facts(event), rule_view(event.id), reg_id, now)
    _apply(event, changes, now, None, "unpaid_released")


def accept_offer(reg_id: int, actor: User | None, now: datetime | None = None) -> Registration:
    now = now or utcnow()
    event, reg, regs = _for_registration(reg_id)
    changes = _rule_call(rules.accept_offer, event_facts(event), regs, reg.id, now)
    _apply(event, changes, now, actor, "accept")
    return reg


def decline_offer(reg_id: int, actor: User | None, now: datetime | None = None) -> Registration:
    now = now or utcnow()
    event, reg, regs = _for_registration(reg_id)
    changes = _rule_call(rules.decline_offer, event_facts(event), regs, reg.id, now)
    _apply(event, changes, now, actor, "decline", notify_cancelled="declined")
    return reg


def update_event(
    event_id: int, changes: dict, actor: User | None, now: datetime | None = None
) -> tuple[Event, int]:
    """Change an event's fields. A raised capacity offers the new seats; a lowered one
    bumps nobody. Returns (event, over_by): seats held beyond the new capacity."""
    now = now or utcnow()
    event = _locked_event(event_id)
    deadline_changes = (
        "priority_deadline" in changes and changes["priority_deadline"] != event.priority_deadline
    )
    if deadline_changes and event.priority_closed_at is not None:
        # The allocation has run; a new deadline would promise what can no longer be kept.
        raise event_ops.EventError([("priority_deadline", "priority_closed")])
    event_ops.update_event(event, changes, actor)
    removed = deadline_changes and event.priority_deadline is None
    passed = event.priority_deadline is not None and event.priority_deadline <= now
    if event.priority_closed_at is None and (removed or passed):
        # The deadline was removed or moved into the past: allocate now, as at the
        # deadline, so nobody stays pending for an answer that would never come.
        close_priority_window(event.id, now, deadline=now)
    regs = rule_view(event.id)
    result = rules.change_capacity(event_facts(event), regs, event.capacity, now)
    _apply(event, result.changes, now, actor, "capacity")
    return event, result.over_by


def move(
    reg_id: int, before_reg_id: int | None, reason: str, actor: User, now: datetime | None = None
) -> Registration:
    """Move a waiting registration in the queue, just before another one of the same
    tier (or to the front of its tier when `before_reg_id` is None), with a reason."""
    now = now or utcnow()
    if not reason.strip():
        raise RegistrationError("reason_required", 400)
    event, reg, regs = _for_registration(reg_id)
    if reg.state not in rules.WAITING:
        raise RegistrationError("not_waiting")
    same_tier = sorted(
        (r for r in regs if r.state in rules.WAITING and r.tier == reg.tier),
        key=rules.queue_key,
    )
    if before_reg_id is None:
        target_time = same_tier[0].queued_at if same_tier else reg.queue_at
    else:
        target = next((r for r in same_tier if r.id == before_reg_id), None)
        if target is None:
            raise RegistrationError("move_target_invalid", 400)
        target_time = target.queued_at
    reg.queue_at = target_time - timedelta(microseconds=1)
    _log(reg, "move", reg.state.value, actor, reason.strip())
    db.session.flush()
    regs = rule_view(event.id)
    changes = rules.fill_free_seats(event_facts(event), regs, now)
    _apply(event, changes, now, actor, "seat_freed")
    return reg


def waive_fee(reg_id: int, actor: User, reason: str = "") -> Registration:
    reg = db.session.get(Registration, reg_id)
    if reg is None:
        raise RegistrationError("registration_not_found", 404)
    if reg.fee_waived:
        return reg  # asked twice: done already
    if "waive_fee" not in row_actions(reg.event, reg):
        raise RegistrationError("not_active" if not reg.is_active else "no_fee_to_waive")
    if not reg.fee_waived:
        reg.fee_waived = True
        _log(reg, "waive_fee", reg.state.value, actor, reason)
        db.session.flush()
        signals.fee_changed.send(reg)
    return reg


def confirm_affiliation(
    reg_id: int, organisation_id: int, actor: User, now: datetime | None = None
) -> Registration:
    """An organiser confirms the person works at an owner organisation: tier 1 for this
    registration (and, for an account, for the future too)."""
    from eventsys.organisations.models import Organisation

    now = now or utcnow()
    event, reg, regs = _for_registration(reg_id)
    if "confirm_affiliation" not in row_actions(event, reg):
        raise RegistrationError("not_active" if not reg.is_active else "already_priority")
    org = db.session.get(Organisation, organisation_id)
    if org is None:
        raise RegistrationError("organisation_not_found", 404)
    if not org_ops.facts_of(org).contributes_on(local_date(event.starts_at)):
        raise RegistrationError("organisation_not_owner")
    if reg.user is not None:
        org_ops.confirm_affiliation(reg.user, org, actor)
    before = reg.state.value
    reg.tier, reg.tier_reason, reg.organisation_id = 1, org_rules.Reason.confirmed.value, org.id
    if reg.state == State.PENDING:
        reg.state = State.WAITLISTED  # tier 1 is not pending; it queues ahead of tier 2
    _log(reg, "confirm_affiliation", before, actor, org.name)
    db.session.flush()
    signals.fee_changed.send(reg)  # owner staff attend free
    regs = rule_view(event.id)
    changes = rules.fill_free_seats(event_facts(event), regs, now)
    _apply(event, changes, now, actor, "seat_freed")
    return reg


def delete_draft(event: Event) -> None:
    """Delete a draft nobody has registered for (see events.operations.delete_draft)."""
    if db.session.scalar(select(Registration.id).where(Registration.event_id == event.id).limit(1)):
        raise event_ops.EventError([("status", "has_registrations")])
    event_ops.delete_draft(event)


def cancel_event(event_id: int, actor: User | None, now: datetime | None = None) -> Event:
    """The organisers cancel the event: every active registration is cancelled and told."""
    now = now or utcnow()
    event = _locked_event(event_id)
    event_ops.mark_cancelled(event)
    active = {r.id for r in active_registrations(event.id)}
    everyone = db.session.scalars(
        select(Registration).where(Registration.event_id == event.id)
    ).all()
    for reg in everyone:
        if reg.id in active:
            before = reg.state.value
            _set_state(reg, State.CANCELLED, None, now)
            _log(reg, "event_cancelled", before, actor)
            db.session.flush()
            notify(reg, "event_cancelled")
    # Everybody who paid gets the money back (after the commit, never under this
    # lock), also those who cancelled after the deadline: the event does not happen.
    signals.event_cancelled.send(event, registrations=everyone, now=now)
    return event


# --- time-based work (tick) ----------------------------------------------------------


def close_priority_window(event_id: int, now: datetime, deadline: datetime | None = None) -> int:
    """The allocation at an event's priority deadline; returns how many changed.
    Safe to call again or concurrently: the lock and priority_closed_at see to it.
    `deadline` allocates as if that were the deadline (the organiser removed it)."""
    event = _locked_event(event_id)
    deadline = deadline or event.priority_deadline
    if event.priority_closed_at is not None or deadline is None or now < deadline:
        return 0
    regs = rule_view(event.id)
    facts = replace(event_facts(event), priority_deadline=deadline)
    changes = rules.close_priority_window(facts, regs, now)
    event.priority_closed_at = now
    _apply(event, changes, now, None, "priority_deadline")
    return len(changes)


def expire_offers(event_id: int, now: datetime) -> int:
    event = _locked_event(event_id)
    regs = rule_view(event.id)
    changes = rules.expire_offers(event_facts(event), regs, now)
    _apply(event, changes, now, None, "offer_expired", notify_cancelled="offer_expired")
    return len(changes)


def events_due_for_priority(now: datetime) -> list[int]:
    return list(
        db.session.scalars(
            select(Event.id).where(
                Event.status == EventStatus.published,
                Event.priority_deadline <= now,
                Event.priority_closed_at.is_(None),
            )
        )
    )


def events_to_close_attendance(now: datetime) -> list[int]:
    """Events that are over, where the door list was used (somebody is marked as
    attended) and somebody confirmed was never checked in."""
    attended = (
        select(Registration.id)
        .where(Registration.event_id == Event.id, Registration.state == State.ATTENDED)
        .exists()
    )
    unchecked = (
        select(Registration.id)
        .where(Registration.event_id == Event.id, Registration.state == State.CONFIRMED)
        .exists()
    )
    return list(
        db.session.scalars(
            select(Event.id).where(
                Event.status == EventStatus.published, Event.ends_at <= now, attended, unchecked
            )
        )
    )


def close_attendance(event_id: int, now: datetime) -> int:
    """After an event where attendance was taken, the confirmed who never came to the
    door are no-shows (DESIGN: attended/no_show after the event), so the statistics
    count who came. An organiser can still correct one at the door list. An event
    where nobody was checked in is left as it is: nobody knows who came."""
    event = _locked_event(event_id)
    if event.status != EventStatus.published:
        return 0
    regs = db.session.scalars(select(Registration).where(Registration.event_id == event.id))
    regs = list(regs)
    absent = set(rules.no_shows(((r.id, r.state) for r in regs), event.ends_at, now))
    for reg in regs:
        if reg.id in absent:
            reg.state = State.NO_SHOW
            _log(reg, "attendance", State.CONFIRMED.value, None, "not checked in")
    db.session.flush()
    return len(absent)


def events_with_expired_offers(now: datetime) -> list[int]:
    return list(
        db.session.scalars(
            select(Registration.event_id)
            .where(Registration.state == State.OFFERED, Registration.offer_expires_at <= now)
            .distinct()
        )
    )


def all_registrations(event_id: int) -> list[Registration]:
    return list(
        db.session.scalars(
            select(Registration)
            .where(Registration.event_id == event_id)
            .options(selectinload(Registration.organisation), selectinload(Registration.payment))
            .order_by(Registration.registered_at, Registration.id)
        )
    )


def participant_list(
    event_id: int,
) -> tuple[list[Registration], list[Registration], dict[int, int]]:
    """(participants in list order, cancelled ones, waiting-list places): seat holders
    in the order they came, then the waiting list in its order."""
    regs = all_registrations(event_id)
    places = positions(event_id)
    listed = [r for r in regs if r.state != State.CANCELLED]
    listed.sort(key=lambda r: (r.state in rules.WAITING, places.get(r.id, 0)))
    return listed, [r for r in regs if r.state == State.CANCELLED], places


def message_participants(event_id: int, subject: str, message: str, actor: User | None) -> int:
    """E-mail every confirmed (or attended) participant; returns how many."""
    event = db.session.get(Event, event_id)
    # One line: a line break in a subject would start the message body early.
    subject = " ".join(subject.split())
    recipients = [
        r for r in all_registrations(event_id) if r.state in (State.CONFIRMED, State.ATTENDED)
    ]
    event_url = current_app.config["EVENTSYS_BASE_URL"] + f"/events/{event.id}"
    for reg in recipients:
        mail.queue(
            reg.email,
            "registration/organiser_message",
            locale=reg.locale,
            reg=reg,
            event=event,
            subject=subject,
            message=message.strip(),
            event_url=event_url,
        )
    return len(recipients)


def registrations_of(user: User, *options) -> list[Registration]:
    """A participant's registrations: their own, and those made for their verified
    address by an organiser. Their events and payments are loaded with them (every
    list of them shows both); `options` loads more."""
    return list(
        db.session.scalars(
            select(Registration)
            .where(owned_by(user))
            .options(selectinload(Registration.event), selectinload(Registration.payment), *options)
            .order_by(Registration.registered_at.desc())
        )
    )
