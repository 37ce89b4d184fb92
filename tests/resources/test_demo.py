"""The demo's resource bank: real-looking records a newcomer can find."""

import re


def test_demo_bank(app, runner, client):
    result = runner.invoke(args=["eventsys", "demo"])
    assert result.exit_code == 0, result.output
    html = client.get("/resources").get_data(as_text=True)
    total = int(re.search(r"Ressurser funnet: (\d+)", html).group(1))
    assert total >= 40
    frafall = client.get("/resources?q=frafall").get_data(as_text=True)
    assert int(re.search(r"Ressurser funnet: (\d+)", frafall).group(1)) >= 5
    conferences = client.get("/resources?kind=conference").get_data(as_text=True)
    assert "EAIR Forum" in conferences and "Trondheim" in conferences

    from sqlalchemy import select

    from eventsys.events.models import Event
    from eventsys.extensions import db

    with app.app_context():
        seminar = db.session.scalar(
            select(Event).where(Event.title == "Ensomhet blant studenter – hva virker?")
        )
        seminar_id = seminar.id
    page = client.get(f"/events/{seminar_id}").get_data(as_text=True)
    assert "Lysark: Ensomhet i SHoT-tallene" in page
    # The slides' text is searchable.
    assert "Kollokviegrupper og campusverter" in client.get("/resources?q=faerre+slutter").get_data(
        as_text=True
    )
