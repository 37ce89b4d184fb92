"""Personal data: what we hold about a person, deleting an account, and deleting
dietary and health-related needs a set time after each event."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import selectinload

from eventsys.auth.models import ApiToken, User
from eventsys.database import utcnow
from eventsys.events.models import Event
from eventsys.extensions import db
from eventsys.organisations.operations import affiliation_for
from eventsys.payments.models import Payment
from eventsys.registration.models import ACTIVE_STATES, Registration
from eventsys.registration.operations import registrations_of


class PrivacyError(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def export(user: User) -> dict:
    """Everything held about the person, as one JSON-ready document."""
    from eventsys.arshjul.models import CategoryFollow

    affiliation = affiliation_for(user)
    registrations = []
    for reg in registrations_of(
        user, selectinload(Registration.payment).selectinload(Payment.invoices)
    ):
        payment = reg.payment
        registrations.append(
            {
                "event": reg.event.title,
                "event_starts_at": _iso(reg.event.starts_at),
                "state": reg.state.value,
                "name": reg.name,
                "email": reg.email,
                "tier": reg.tier,
                "tier_reason": reg.tier_reason,
                "registered_at": _iso(reg.registered_at),
                "dietary_needs": reg.dietary_needs,
                "accessibility_needs": reg.accessibility_needs,
                "needs_deleted_at": _iso(reg.needs_deleted_at),
                "payment": None
                if payment is None
                else {
                    "amount_ore": payment.amount,
                    "status": payment.status.value,
                    "method": payment.method.value if payment.method else None,
                    "invoices": [
                        {
                            "number": i.number,
                            "kind": i.kind.value,
                            "reference": i.reference,
                            "amount_ore": i.amount,
                        }
                        for i in payment.invoices
                    ],
                },
            }
        )
    follows = db.session.scalars(
        select(CategoryFollow.category).where(CategoryFollow.user_id == user.id)
    ).all()
    return {
        "account": {
            "email": user.email,
            "email_verified_at": _iso(user.email_verified_at),
            "name": user.name,
            "role": user.role.value,
            "language": user.locale,
            "created_at": _iso(user.created_at),
            "affiliation_confirmed_by_organiser": user.confirmed_organisation.name
            if user.confirmed_organisation
            else None,
        },
        "derived_affiliation_today": {
            "tier": affiliation.tier,
            "reason": affiliation.reason.value,
            "organisation": affiliation.organisation.name if affiliation.organisation else None,
        },
        "registrations": registrations,
        "arshjul_categories_followed": sorted(str(f) for f in follows),
        "api_tokens": db.session.scalar(
            select(db.func.count()).select_from(ApiToken).where(ApiToken.user_id == user.id)
        ),
    }


def delete_account(user: User, now: datetime | None = None) -> None:
    """Delete the account. Registrations for events still to come must be cancelled
    first (a seat, a fee or a place in the queue is at stake). Past registrations stay
    as anonymous rows, so counts and accounts still add up; invoices stay as they are,
    because the accounting rules (bokføringsloven) require keeping them."""
    now = now or utcnow()
    regs = registrations_of(user)
    if any(r.state.value in ACTIVE_STATES and r.event.ends_at > now for r in regs):
        raise PrivacyError("active_registrations")
    from eventsys.mail.models import OutboundMail
    from eventsys.registration.models import RegistrationLog

    addresses = {user.email} | {r.email for r in regs}
    for reg in regs:
        # A hand-over's log line names both people.
        db.session.execute(
            update(RegistrationLog)
            .where(RegistrationLog.registration_id == reg.id, RegistrationLog.reason != "")
            .values(reason="(anonymisert)")
            .execution_options(synchronize_session=False)
        )
        reg.name = ""
        reg.email = f"slettet-{reg.id}@slettet.invalid"
        reg.user_id = None
        reg.dietary_needs = ""
        reg.accessibility_needs = ""
        reg.needs_deleted_at = reg.needs_deleted_at or now
    db.session.execute(
        delete(OutboundMail)
        .where(OutboundMail.recipient.in_(addresses), OutboundMail.sent_at.is_not(None))
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    db.session.delete(user)
    db.session.flush()


def purge_needs(now: datetime | None = None) -> int:
    """Delete dietary and accessibility needs NEEDS_RETENTION_DAYS after each event
    ends (health-related information is kept no longer than the event needs it).
    One idempotent statement: safe on several hosts at once."""
    now = now or utcnow()
    cutoff = now - timedelta(days=current_app.config["NEEDS_RETENTION_DAYS"])
    ended = select(Event.id).where(Event.ends_at < cutoff)
    result = db.session.execute(
        update(Registration)
        .where(
            Registration.event_id.in_(ended),
            Registration.needs_deleted_at.is_(None),
            or_(Registration.dietary_needs != "", Registration.accessibility_needs != ""),
        )
        .values(dietary_needs="", accessibility_needs="", needs_deleted_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def purge_sent_mail(now: datetime | None = None) -> int:
    """Sent e-mails are kept SENT_MAIL_RETENTION_DAYS (to answer "did you send it?"),
    then deleted: their bodies hold names and details."""
    from eventsys.mail.models import OutboundMail

    now = now or utcnow()
    cutoff = now - timedelta(days=current_app.config["SENT_MAIL_RETENTION_DAYS"])
    result = db.session.execute(
        delete(OutboundMail)
        .where(OutboundMail.sent_at.is_not(None), OutboundMail.sent_at < cutoff)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0
