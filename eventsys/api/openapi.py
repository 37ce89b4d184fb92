"""The OpenAPI 3.1 document of /api/v1. Its schemas are JSON Schema (2020-12), so the
tests validate every answer they get against them."""

from __future__ import annotations

from flask import current_app

DATETIME = {"type": "string", "format": "date-time"}
NULLABLE_DATETIME = {"type": ["string", "null"], "format": "date-time"}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


SCHEMAS: dict = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    "details": {"type": "object"},
                },
            }
        },
    },
    "Ownership": {
        "type": "object",
        "required": ["role", "valid_from", "valid_to", "staff_band"],
        "properties": {
            "role": {"enum": ["owner", "observer"]},
            "valid_from": {"type": "string", "format": "date"},
            "valid_to": {"type": "string", "format": "date"},
            "staff_band": {"enum": ["0-500", "501-1000", "1001-2000", "2000+", None]},
        },
    },
    "Organisation": {
        "type": "object",
        "required": ["id", "name", "org_number", "kind", "domains", "ownerships"],
        "properties": {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "org_number": {"type": ["string", "null"], "pattern": "^[89][0-9]{8}$"},
            "kind": {"enum": ["institution", "welfare_org", "other"]},
            "domains": {"type": "array", "items": {"type": "string"}},
            "ownerships": {"type": "array", "items": _ref("Ownership")},
        },
    },
    "OrganisationInput": {
        "type": "object",
        "required": ["name", "kind"],
        "properties": {
            "name": {"type": "string"},
            "org_number": {
                "type": ["string", "null"],
                "description": "9 digits, modulus-11 checked",
            },
            "kind": {"enum": ["institution", "welfare_org", "other"]},
            "domains": {"type": "array", "items": {"type": "string"}},
            "ownerships": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["role", "valid_from"],
                    "properties": {
                        "role": {"enum": ["owner", "observer"]},
                        "valid_from": {"type": "string", "format": "date"},
                        "valid_to": {
                            "type": "string",
                            "format": "date",
                            "description": "default: 31 December of the next year (binding period)",
                        },
                        "staff_band": {"enum": ["0-500", "501-1000", "1001-2000", "2000+"]},
                    },
                },
            },
        },
    },
    "Event": {
        "type": "object",
        "required": [
            "id",
            "title",
            "kind",
            "format",
            "starts_at",
            "ends_at",
            "capacity",
            "seats_held",
            "waitlist_length",
            "registration_opens_at",
            "registration_closes_at",
            "priority_deadline",
            "fee",
            "status",
        ],
        "properties": {
            "id": {"type": "integer"},
            "title": {"type": "string"},
            "description": {"type": "string"},
            "kind": {
                "enum": [
                    "seminar",
                    "workshop",
                    "course",
                    "webinar",
                    "conference",
                    "gathering",
                    "meeting",
                ]
            },
            "format": {"enum": ["on_site", "online", "hybrid"]},
            "status": {"enum": ["draft", "published", "cancelled"]},
            "starts_at": DATETIME,
            "ends_at": DATETIME,
            "venue": {"type": "string"},
            "online_url": {"type": "string"},
            "language": {"enum": ["nb", "en"]},
            "capacity": {"type": "integer", "minimum": 0},
            "seats_held": {"type": "integer", "minimum": 0},
            "waitlist_length": {"type": "integer", "minimum": 0},
            "registration_opens_at": DATETIME,
            "registration_closes_at": DATETIME,
            "priority_deadline": NULLABLE_DATETIME,
            "cancellation_deadline": NULLABLE_DATETIME,
            "fee": {"type": "integer", "minimum": 0, "description": "øre, for non-owners"},
            "currency": {"const": "NOK"},
            "payment_days": {"type": "integer"},
            "offer_hours": {"type": "integer"},
            "host_organisation_id": {"type": ["integer", "null"]},
            "warnings": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["code", "message"],
                    "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
                },
            },
        },
    },
    "Payment": {
        "type": "object",
        "required": ["status", "method", "amount", "deadline"],
        "properties": {
            "status": {"enum": ["not_required", "due", "paid", "invoiced", "refunded", "waived"]},
            "method": {"enum": ["card", "invoice", None]},
            "amount": {"type": "integer", "minimum": 0},
            "deadline": NULLABLE_DATETIME,
        },
    },
    "Registration": {
        "type": "object",
        "required": [
            "id",
            "event_id",
            "email",
            "state",
            "tier",
            "fee_due",
            "position",
            "offer_expires_at",
            "payment",
        ],
        "properties": {
            "id": {"type": "integer"},
            "event_id": {"type": "integer"},
            "email": {"type": "string"},
            "name": {"type": "string"},
            "state": {
                "enum": [
                    "pending",
                    "confirmed",
                    "offered",
                    "waitlisted",
                    "cancelled",
                    "attended",
                    "no_show",
                ]
            },
            "tier": {"enum": [1, 2]},
            "tier_reason": {"type": "string"},
            "organisation_id": {"type": ["integer", "null"]},
            "fee_due": {"type": "integer", "minimum": 0, "description": "øre"},
            "fee_waived": {"type": "boolean"},
            "position": {"type": ["integer", "null"], "minimum": 1},
            "offer_expires_at": NULLABLE_DATETIME,
            "registered_at": DATETIME,
            "over_capacity": {"type": "boolean"},
            "payment": _ref("Payment"),
        },
    },
    "RegistrationInput": {
        "type": "object",
        "description": "An organiser registers anyone (the address counts as verified); "
        "anybody else registers themselves (email omitted or their own).",
        "properties": {
            "email": {"type": "string"},
            "name": {"type": "string"},
            "locale": {"enum": ["nb", "en"]},
            "dietary_needs": {"type": "string"},
            "accessibility_needs": {"type": "string"},
            "override": {"type": "boolean", "description": "organisers: confirm beyond capacity"},
            "waive_fee": {
                "type": "boolean",
                "description": "organisers: speakers, student helpers",
            },
        },
    },
    "Invoice": {
        "type": "object",
        "required": ["id", "number", "kind", "kid", "org_number", "reference", "amount", "due_on"],
        "properties": {
            "id": {"type": "integer"},
            "number": {"type": "integer", "description": "gapless"},
            "kind": {"enum": ["invoice", "credit_note"]},
            "kid": {
                "type": ["string", "null"],
                "pattern": "^[0-9]+$",
                "description": "MOD10 check digit",
            },
            "org_number": {"type": "string"},
            "reference": {"type": "string"},
            "amount": {"type": "integer", "description": "øre"},
            "currency": {"const": "NOK"},
            "issued_on": {"type": "string", "format": "date"},
            "due_on": {"type": "string", "format": "date"},
            "paid": {"type": "boolean"},
        },
    },
    "Checkout": {
        "type": "object",
        "required": ["url", "session_id"],
        "properties": {"url": {"type": "string"}, "session_id": {"type": "string"}},
    },
}


# What a client sends for an event: the Event's fields less those the server keeps.
SCHEMAS["EventInput"] = {
    "type": "object",
    "description": "Times are ISO 8601 with a UTC offset. POST needs title, kind, format, "
    "starts_at, ends_at, capacity, registration_opens_at and registration_closes_at; "
    "PATCH takes any subset. status: POST makes a draft unless 'published' is given; "
    "PATCH may publish or cancel.",
    "properties": {
        name: schema
        for name, schema in SCHEMAS["Event"]["properties"].items()
        if name not in {"id", "seats_held", "waitlist_length", "warnings", "currency"}
    },
}


def _json(schema: dict) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


def _answer(description: str, schema: dict) -> dict:
    return {"description": description, **_json(schema)}


ERRORS = {
    "400": _answer("Bad input", _ref("Error")),
    "401": _answer("No or invalid token", _ref("Error")),
    "403": _answer("Not allowed for this token", _ref("Error")),
    "404": _answer("Not found", _ref("Error")),
    "409": _answer("Refused in the current state", _ref("Error")),
}
ID = {"in": "path", "required": True, "schema": {"type": "integer"}}


def _list(key: str, item: str) -> dict:
    return {
        "type": "object",
        "required": [key],
        "properties": {key: {"type": "array", "items": _ref(item)}},
    }


def _reg_action(summary: str) -> dict:
    return {
        "post": {
            "summary": summary,
            "parameters": [{"name": "reg_id", **ID}],
            "responses": {
                "200": _answer("The registration after the action", _ref("Registration")),
                **ERRORS,
            },
        }
    }


PATHS = {
    "/organisations": {
        "get": {
            "summary": "All organisations (organisers, finance)",
            "responses": {
                "200": _answer("Organisations", _list("organisations", "Organisation")),
                **ERRORS,
            },
        },
        "post": {
            "summary": "Create an organisation with ownership periods (admin)",
            "requestBody": _json(_ref("OrganisationInput")),
            "responses": {"201": _answer("Created", _ref("Organisation")), **ERRORS},
        },
    },
    "/events": {
        "get": {
            "summary": "Events (drafts for organisers only)",
            "parameters": [
                {
                    "name": "status",
                    "in": "query",
                    "schema": {"enum": ["draft", "published", "cancelled"]},
                }
            ],
            "responses": {"200": _answer("Events", _list("events", "Event")), **ERRORS},
        },
        "post": {
            "summary": "Create an event (organisers); a draft unless status is given",
            "requestBody": _json(_ref("EventInput")),
            "responses": {"201": _answer("Created", _ref("Event")), **ERRORS},
        },
    },
    "/events/{event_id}": {
        "get": {
            "summary": "One event",
            "parameters": [{"name": "event_id", **ID}],
            "responses": {"200": _answer("The event", _ref("Event")), **ERRORS},
        },
        "delete": {
            "summary": "Delete a draft without registrations (organisers)",
            "parameters": [{"name": "event_id", **ID}],
            "responses": {"204": {"description": "Deleted"}, **ERRORS},
        },
        "patch": {
            "summary": "Change, publish or cancel an event (organisers). Raised capacity offers "
            "the new seats; lowered capacity bumps nobody and answers a warning.",
            "parameters": [{"name": "event_id", **ID}],
            "requestBody": _json(_ref("EventInput")),
            "responses": {"200": _answer("The event", _ref("Event")), **ERRORS},
        },
    },
    "/events/{event_id}/registrations": {
        "get": {
            "summary": "The participant list (organisers)",
            "parameters": [{"name": "event_id", **ID}],
            "responses": {
                "200": _answer("Registrations", _list("registrations", "Registration")),
                **ERRORS,
            },
        },
        "post": {
            "summary": "Register yourself, or (organisers) someone on their behalf",
            "parameters": [{"name": "event_id", **ID}],
            "requestBody": _json(_ref("RegistrationInput")),
            "responses": {"201": _answer("Registered", _ref("Registration")), **ERRORS},
        },
    },
    "/events/{event_id}/participants.csv": {
        "get": {
            "summary": "The participant list with dietary and accessibility needs (organisers); "
            "semicolon-separated UTF-8 with BOM, decimal comma",
            "parameters": [{"name": "event_id", **ID}],
            "responses": {
                "200": {
                    "description": "CSV",
                    "content": {"text/csv": {"schema": {"type": "string"}}},
                },
                **ERRORS,
            },
        }
    },
    "/events/{event_id}/participants.xlsx": {
        "get": {
            "summary": "The participant list as an Excel workbook (organisers)",
            "parameters": [{"name": "event_id", **ID}],
            "responses": {
                "200": {
                    "description": "XLSX",
                    "content": {
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                            "schema": {"type": "string", "format": "binary"}
                        }
                    },
                },
                **ERRORS,
            },
        }
    },
    "/events/{event_id}/messages": {
        "post": {
            "summary": "E-mail the confirmed participants (organisers)",
            "parameters": [{"name": "event_id", **ID}],
            "requestBody": _json(
                {
                    "type": "object",
                    "required": ["subject", "message"],
                    "properties": {"subject": {"type": "string"}, "message": {"type": "string"}},
                }
            ),
            "responses": {
                "200": _answer(
                    "How many were e-mailed",
                    {
                        "type": "object",
                        "required": ["sent"],
                        "properties": {"sent": {"type": "integer"}},
                    },
                ),
                **ERRORS,
            },
        }
    },
    "/registrations/{reg_id}": {
        "get": {
            "summary": "One registration (its participant or an organiser)",
            "parameters": [{"name": "reg_id", **ID}],
            "responses": {"200": _answer("The registration", _ref("Registration")), **ERRORS},
        }
    },
    "/registrations/{reg_id}/cancel": _reg_action(
        "Cancel; the seat is offered to the next in line"
    ),
    "/registrations/{reg_id}/accept": _reg_action("Accept an offer before its deadline"),
    "/registrations/{reg_id}/decline": _reg_action("Decline an offer"),
    "/registrations/{reg_id}/waive-fee": _reg_action("Waive the fee (organisers)"),
    "/registrations/{reg_id}/attendance": {
        "post": {
            "summary": "After the start: mark a confirmed participant as attended or not (organisers)",
            "parameters": [{"name": "reg_id", **ID}],
            "requestBody": _json(
                {
                    "type": "object",
                    "required": ["attended"],
                    "properties": {"attended": {"type": "boolean"}},
                }
            ),
            "responses": {"200": _answer("The registration", _ref("Registration")), **ERRORS},
        }
    },
    "/registrations/{reg_id}/move": {
        "post": {
            "summary": "Move a waiting registration before another of its tier (organisers)",
            "parameters": [{"name": "reg_id", **ID}],
            "requestBody": _json(
                {
                    "type": "object",
                    "required": ["reason"],
                    "properties": {
                        "reason": {"type": "string"},
                        "before_registration_id": {"type": ["integer", "null"]},
                    },
                }
            ),
            "responses": {"200": _answer("Moved", _ref("Registration")), **ERRORS},
        }
    },
    "/registrations/{reg_id}/confirm-affiliation": {
        "post": {
            "summary": "Confirm the person works at an owner organisation: tier 1 (organisers)",
            "parameters": [{"name": "reg_id", **ID}],
            "requestBody": _json(
                {
                    "type": "object",
                    "required": ["organisation_id"],
                    "properties": {"organisation_id": {"type": "integer"}},
                }
            ),
            "responses": {"200": _answer("Confirmed", _ref("Registration")), **ERRORS},
        }
    },
    "/registrations/{reg_id}/invoice": {
        "post": {
            "summary": "Pay by invoice instead of card",
            "parameters": [{"name": "reg_id", **ID}],
            "requestBody": _json(
                {
                    "type": "object",
                    "required": ["org_number", "reference"],
                    "properties": {
                        "org_number": {"type": "string"},
                        "reference": {"type": "string"},
                        "recipient_email": {"type": "string"},
                        "recipient_address": {"type": "string"},
                        "organisation_name": {"type": "string"},
                    },
                }
            ),
            "responses": {"201": _answer("The invoice", _ref("Invoice")), **ERRORS},
        }
    },
    "/registrations/{reg_id}/checkout": {
        "post": {
            "summary": "Start a Stripe Checkout for the fee",
            "parameters": [{"name": "reg_id", **ID}],
            "responses": {"200": _answer("Checkout session", _ref("Checkout")), **ERRORS},
        }
    },
}


def document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "eventsys API",
            "version": "1.0.0",
            "description": "Events, registrations and priority of the competence network for "
            'student success. Errors: {"error": {"code", "message"}} with a 4xx status.',
        },
        "servers": [{"url": current_app.config["EVENTSYS_BASE_URL"] + "/api/v1"}],
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": SCHEMAS,
        },
        "paths": PATHS,
    }
