"""Without MAIL_SERVER the e-mail goes to the log as a person reads it: a long link
is whole on one line and works when pasted."""

from __future__ import annotations

import logging
import re

from eventsys import database
from eventsys.auth import operations
from eventsys.working import Worker


def test_the_logged_mail_is_decoded_text_with_a_whole_link(app, client, caplog):
    assert not app.config.get("MAIL_SERVER")
    with app.app_context():
        operations.sign_up("pål.ærlig@ntnu.no", "et-langt-passord", "Pål Ærlig", "nb")
        database.commit()
        with caplog.at_level(logging.INFO, logger="eventsys.mail"):
            Worker().drain()
    logged = caplog.text
    assert "Subject: Bekreft e-postadressen din" in logged
    assert "=\n" not in logged and "=3D" not in logged and "=C3" not in logged
    assert "Hei Pål Ærlig" in logged or "Pål Ærlig" in logged
    link = re.search(r"http://\S+/verify/\S+", logged).group(0)
    response = client.get(link.replace("http://localhost", ""))
    assert response.status_code == 302
