"""Factories for the resource bank tests."""

import pytest


@pytest.fixture
def themes(app):
    from eventsys import database
    from eventsys.themes.operations import ensure_seed_themes

    with app.app_context():
        ensure_seed_themes()
        database.commit()


@pytest.fixture
def organiser(make_user):
    return make_user("arrangement@kompetansenettverk.no", role="organiser", name="Ola Arrangør")


@pytest.fixture
def make_resource(app, themes, organiser):
    """A resource (published by the organiser unless `status` says otherwise); its id."""
    from eventsys import database
    from eventsys.auth.models import User
    from eventsys.extensions import db
    from eventsys.resources import operations

    def make(
        title="Tiltak mot frafall",
        *,
        by=None,
        status="published",
        themes=(),
        event_id=None,
        organisation_id=None,
        file=None,
        **values,
    ):
        values = {"kind": "best_practice", "title": title, "language": "nb", "year": 2024} | values
        with app.app_context():
            user = db.session.get(User, by or organiser)
            resource = operations.create_resource(
                values,
                user,
                themes=list(themes),
                event_id=event_id,
                organisation_id=organisation_id,
                status=status,
            )
            if file:
                operations.attach_file(resource, file[0], file[1], user)
            database.commit()
            return resource.id

    return make


def tiny_pdf(text: str) -> bytes:
    """A one-page PDF whose page shows `text` (ASCII), built by hand so the test
    needs no PDF writer."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)
