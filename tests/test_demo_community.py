"""The demo's people, forum and newsletters as a visitor and an admin see them."""

from sqlalchemy import func, select

from tests.conftest import client_of


def test_demo_has_resource_persons_a_host_forum_threads_and_newsletters(app, runner):
    from eventsys.events.models import Event, EventKind, EventStatus
    from eventsys.extensions import db
    from eventsys.forum.models import ForumThread
    from eventsys.newsletters.models import Issue
    from eventsys.people import operations as people

    result = runner.invoke(args=["eventsys", "demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        missing = [o.name for o in people.owners_without_resource_person()]
        assert len(missing) == 2, missing
        seminar = db.session.scalar(select(Event).where(Event.title.like("Trepartssamarbeid%")))
        assert [h.user.email for h in people.hosts_of(seminar.id)] == ["siri.aasen@uib.no"]
        seminars = db.session.scalars(
            select(Event.id).where(
                Event.status == EventStatus.published,
                Event.kind.in_([EventKind.seminar, EventKind.workshop, EventKind.gathering]),
            )
        ).all()
        threads = set(db.session.scalars(select(ForumThread.event_id)))
        assert seminars and set(seminars) <= threads
        statuses = dict(
            db.session.execute(select(Issue.status, func.count()).group_by(Issue.status)).all()
        )
        assert statuses == {"sent": 1, "scheduled": 1}

    visitor = app.test_client()
    page = visitor.get("/people").get_data(as_text=True)
    assert "Siri Aasen" in page and "Ressurspersoner funnet: 12" in page
    assert "Tiltak mot ensomhet" in visitor.get("/forum/c/mental_health").get_data(as_text=True)
    assert "nettverket denne høsten" in visitor.get("/newsletters").get_data(as_text=True)
    admin = client_of(app, "admin@kompetansenettverk.no", "demo-passord-2026")
    flagged = admin.get("/admin/people").get_data(as_text=True)
    assert "Høgskolen i Molde" in flagged.split("Eiere uten ressursperson nå")[1].split("</ul>")[0]
    host = client_of(app, "siri.aasen@uib.no", "demo-passord-2026")
    assert host.get(f"/organiser/events/{seminar.id}/participants").status_code == 200
