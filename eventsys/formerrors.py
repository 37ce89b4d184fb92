"""Putting an operation's error on the form field it is about (or on the form)."""

from __future__ import annotations


def attach(form, field_name: str | None, message: str) -> None:
    """Show `message` at the field `field_name`, or at the top of the form when the
    form has no such field."""
    field = getattr(form, field_name or "", None)
    if field is None:
        form.form_errors.append(message)
        return
    if isinstance(field.errors, tuple):  # WTForms uses a tuple before validation
        field.errors = list(field.errors)
    field.errors.append(message)
