"""Temporary: English messages by key (moves to the shared translated catalogue)."""

from __future__ import annotations

MESSAGES = {
    "no_token": "Send 'Authorization: Bearer <token>'.",
    "invalid_token": "The token is not valid or has been revoked.",
    "invalid_json": "The body must be a JSON object (Content-Type: application/json).",
    "forbidden": "Your token does not give access to this.",
    "register_only_yourself": "You can only register yourself.",
    "resource_not_found": "Not found.",
    "event_not_found": "No such event.",
    "registration_not_found": "No such registration.",
    "organisation_not_found": "No such organisation.",
    "host_organisation_not_found": "No such host organisation.",
    "field_missing_field": "'%(field)s' is required.",
    "field_invalid_type": "'%(field)s' has the wrong type.",
    "field_invalid_choice": "'%(field)s' is not one of the allowed values.",
    "field_too_long": "'%(field)s' is too long.",
    "field_invalid_characters": "'%(field)s' contains control characters.",
    "field_invalid_datetime": "'%(field)s' is not an ISO 8601 date-time.",
    "field_naive_datetime": "'%(field)s' needs a UTC offset, e.g. 2027-03-10T09:00:00+01:00.",
    "field_invalid_date": "'%(field)s' must be a date like 2027-01-01.",
    "field_out_of_range": "'%(field)s' is out of range.",
    "field_invalid_email": "'%(field)s' is not an e-mail address.",
    "field_invalid_value": "'%(field)s' is not valid.",
    "field_problem": "'%(field)s' is not valid (%(problem)s).",
    "invalid_transition": "A published or cancelled event cannot become a draft.",
    "only_drafts_deleted": "Only a draft without registrations can be deleted.",
    "over_capacity": "%(count)s more seat(s) are held than the new capacity; nobody was cancelled.",
    "subject_and_message_required": "'subject' and 'message' must not be empty.",
    # registration
    "event_not_open": "The event is not open for registration.",
    "registration_closed": "Registration for this event is closed.",
    "already_registered": "This person already has an active registration for the event.",
    "event_started": "The event has started; the registration can no longer be changed.",
    "not_active": "The registration is not active.",
    "not_offered": "There is no open offer for this registration.",
    "offer_expired": "The offer has expired.",
    "not_waiting": "Only a waiting registration can be moved.",
    "reason_required": "A reason is required.",
    "move_target_invalid": "The registration to move before is not waiting in the same tier.",
    "organisation_not_owner": "The organisation is not an owner on the event's date.",
    "event_not_started": "Attendance is recorded from three hours before the event starts.",
    "not_confirmed": "Only a confirmed participant can be marked as attended.",
    # payments
    "nothing_to_pay": "There is nothing to pay for this registration.",
    "already_paid": "The registration is paid already.",
    "already_invoiced": "An invoice has been chosen for this registration already.",
    "seat_not_held": "The registration does not hold a seat.",
    "card_unavailable": "Card payment is not configured; choose invoice.",
    "stripe_unavailable": "Stripe could not be reached; try again.",
    "org_number_not_digits": "An organisation number has digits only.",
    "org_number_wrong_length": "An organisation number has exactly 9 digits.",
    "org_number_wrong_start": "A Norwegian organisation number starts with 8 or 9.",
    "org_number_check_digit": "The organisation number's check digit does not match.",
    "reference_required": "An invoice reference is required.",
    "recipient_required": "Give recipient_email or recipient_address.",
}


def api_message(key: str, **params) -> str:
    text = MESSAGES.get(key)
    if text is None:
        return key.replace("_", " ").capitalize() + "."
    return text % params if params else text
