"""Pure rules for resource persons: appointments over periods. No Flask, no database."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

REGIONS = ("nord", "midt", "vest", "sor", "ost")


class AppointmentError(ValueError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Appointment:
    id: int
    organisation_id: int
    user_id: int
    valid_from: date
    valid_to: date

    def covers(self, day: date) -> bool:
        return self.valid_from <= day <= self.valid_to


def current(appointments: list[Appointment], day: date) -> dict[int, Appointment]:
    """Per organisation, the appointment covering `day` (the latest begun, if two)."""
    found: dict[int, Appointment] = {}
    for a in sorted(appointments, key=lambda a: (a.valid_from, a.id)):
        if a.covers(day):
            found[a.organisation_id] = a
    return found


def owners_without(owner_ids: list[int], appointments: list[Appointment], day: date) -> list[int]:
    """The owners (on `day`) that have no resource person on that day."""
    have = current(appointments, day)
    return [org_id for org_id in owner_ids if org_id not in have]


def appoint(existing: list[Appointment], new: Appointment) -> tuple[list[Appointment], Appointment]:
    """Make room for `new` among one organisation's appointments: one that began
    earlier and runs into the new period ends the day before it (its history stays).
    One that begins on or after the new start cannot be shortened: refused.
    Returns (the changed earlier appointments, the new one)."""
    if new.valid_to < new.valid_from:
        raise AppointmentError("period_order")
    changed = []
    for a in existing:
        if a.organisation_id != new.organisation_id:
            continue
        if a.valid_to < new.valid_from or a.valid_from > new.valid_to:
            continue
        if a.valid_from >= new.valid_from:
            raise AppointmentError("overlap")
        changed.append(replace(a, valid_to=new.valid_from - timedelta(days=1)))
    return changed, new
