"""The JSON shapes of CONTRACT.md (validated against the OpenAPI document in tests)."""

from __future__ import annotations

from datetime import datetime

from eventsys.database import current_timezone
from eventsys.events.models import Event
from eventsys.organisations.models import Organisation
from eventsys.registration import operations as reg_ops
from eventsys.registration.models import Registration


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 with the Oslo offset, e.g. 2027-03-10T09:00:00+01:00."""
    return moment.astimezone(current_timezone()).isoformat() if moment else None


def organisation_json(org: Organisation) -> dict:
    return {
        "id": org.id,
        "name": org.name,
        "org_number": org.org_number,
        "kind": org.kind.value,
        "domains": org.domain_names,
        "ownerships": [
            {
                "role": p.role.value,
                "valid_from": p.valid_from.isoformat(),
                "valid_to": p.valid_to.isoformat(),
                "staff_band": p.staff_band.value if p.staff_band else None,
            }
            for p in org.ownerships
        ],
    }


def event_json(event: Event, online_link: bool = False) -> dict:
    """`online_link`: whether the caller may see the online link
    (registration.operations.sees_online_link)."""
    seats, waiting = reg_ops.counts(event.id)
    return {
        "id": event.id,
        "title": event.title,
        "description": event.description,
        "kind": event.kind.value,
        "format": event.format.value,
        "status": event.status.value,
        "starts_at": iso(event.starts_at),
        "ends_at": iso(event.ends_at),
        "venue": event.venue,
        "online_url": event.online_url if online_link else "",
        "language": event.language,
        "capacity": event.capacity,
        "seats_held": seats,
        "waitlist_length": waiting,
        "registration_opens_at": iso(event.registration_opens_at),
        "registration_closes_at": iso(event.registration_closes_at),
        "priority_deadline": iso(event.priority_deadline),
        "cancellation_deadline": iso(event.cancellation_deadline),
        "fee": event.fee,
        "currency": event.currency,
        "payment_days": event.payment_days,
        "offer_hours": event.offer_hours,
        "host_organisation_id": event.host_organisation_id,
    }


def payment_json(reg: Registration) -> dict:
    """The `payment` object: the Payment row's stage, or what is owed without one."""
    payment = reg.payment
    if payment is None:
        fee = reg.event.fee
        status = "waived" if reg.fee_waived and reg.tier == 2 and fee > 0 else "not_required"
        amount = reg_ops.fee_due(reg.event, reg)
        return {"status": status, "method": None, "amount": amount, "deadline": None}
    return {
        "status": payment.status.value,
        "method": payment.method.value if payment.method else None,
        "amount": payment.amount,
        "deadline": iso(payment.deadline),
    }


def registration_json(reg: Registration, position: int | None) -> dict:
    return {
        "id": reg.id,
        "event_id": reg.event_id,
        "email": reg.email,
        "name": reg.name,
        "state": reg.state.value,
        "tier": reg.tier,
        "tier_reason": reg.tier_reason,
        "organisation_id": reg.organisation_id,
        "fee_due": reg_ops.fee_due(reg.event, reg),
        "fee_waived": reg.fee_waived,
        "position": position,
        "offer_expires_at": iso(reg.offer_expires_at),
        "registered_at": iso(reg.registered_at),
        "over_capacity": reg.over_capacity,
        "payment": payment_json(reg),
    }


def invoice_json(invoice) -> dict:
    return {
        "id": invoice.id,
        "number": invoice.number,
        "kind": invoice.kind.value,
        "kid": invoice.kid,
        "org_number": invoice.org_number,
        "reference": invoice.reference,
        "amount": invoice.amount,
        "currency": invoice.currency,
        "issued_on": invoice.issued_on.isoformat(),
        "due_on": invoice.due_on.isoformat(),
        "paid": invoice.paid_at is not None,
    }
