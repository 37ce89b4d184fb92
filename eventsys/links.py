"""Absolute links for e-mails and feeds, also outside a request (tick, CLI)."""

from flask import current_app


def absolute(endpoint: str, **values) -> str:
    """EVENTSYS_BASE_URL + the path of `endpoint`, built without a request context."""
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return current_app.config["EVENTSYS_BASE_URL"] + path
