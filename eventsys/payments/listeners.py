"""What payments does when registration's domain signals arrive (see
registration/signals.py). Connected by create_app; run in the sender's transaction."""

from __future__ import annotations

from eventsys.payments import operations
from eventsys.registration import signals


@signals.seat_taken.connect
def ask_for_the_fee(reg, event, now, **_):
    operations.on_seat(reg, event, now)


@signals.registration_cancelled.connect
def give_money_back(reg, event, now, **_):
    operations.on_cancel(reg, event, now)


@signals.event_cancelled.connect
def give_everybody_money_back(event, registrations, now, **_):
    for reg in registrations:
        operations.on_cancel(reg, event, now, event_cancelled=True)


@signals.fee_changed.connect
def drop_a_fee_no_longer_owed(reg, **_):
    operations.on_fee_changed(reg)
