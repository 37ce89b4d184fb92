"""API: newsletter issues (organisers) and starting a subscription (double opt-in)."""

from __future__ import annotations

from flask import g
from sqlalchemy.orm import selectinload

from eventsys.api import ApiError, bp, not_found, requires
from eventsys.api import fields as f
from eventsys.api.schemas import ApiSchema
from eventsys.auth.models import Role
from eventsys.extensions import db
from eventsys.newsletters import operations
from eventsys.newsletters.messages import MESSAGES
from eventsys.newsletters.models import Issue

STATUS = {"already_sent": 409}


class NewsletterInput(ApiSchema):
    title = f.Text(200, required=True)
    body = f.Text(100_000, load_default="", metadata={"description": "Markdown"})
    language = f.Choice(("nb", "en"), load_default="nb")
    themes = f.List(f.Text(50), load_default=list)


class Newsletter(ApiSchema):
    id = f.Id(required=True)
    title = f.Text(200, required=True)
    body = f.Text(100_000, required=True)
    language = f.Choice(("nb", "en"), required=True)
    themes = f.Derived(f.List(f.Text(50), required=True), lambda i: [t.code for t in i.themes])
    status = f.Choice(("draft", "scheduled", "sending", "sent"), required=True)
    send_at = f.Moment(required=True, allow_none=True)
    sent_at = f.Moment(required=True, allow_none=True)
    recipients = f.Integer(minimum=0, required=True)


class NewsletterList(ApiSchema):
    newsletters = f.List(f.Nested(Newsletter), required=True)


class ScheduleInput(ApiSchema):
    send_at = f.Moment(required=True)


class SubscriberInput(ApiSchema):
    email = f.Email(required=True)
    themes = f.List(f.Text(50), load_default=list)
    language = f.Choice(("nb", "en"), load_default="nb")


class SubscriptionStarted(ApiSchema):
    status = f.Choice(("confirmation_sent",), required=True)


def _refused(exc: operations.NewsletterError) -> ApiError:
    return ApiError(STATUS.get(exc.code, 400), exc.code, MESSAGES(exc.code))


@bp.route("/newsletters", methods=["GET"])
@requires(Role.organiser)
@bp.response(200, NewsletterList)
@bp.doc(summary="Every issue, newest first (organisers)")
def list_newsletters():
    issues = db.session.scalars(
        db.select(Issue).options(selectinload(Issue.themes)).order_by(Issue.id.desc())
    ).all()
    return {"newsletters": issues}


@bp.route("/newsletters", methods=["POST"])
@requires(Role.organiser)
@bp.arguments(NewsletterInput)
@bp.response(201, Newsletter)
@bp.doc(summary="Write a draft issue (organisers)")
def create_newsletter(data):
    try:
        return operations.create_issue(
            g.api_user, data["title"], data["body"], data["language"], data["themes"]
        )
    except operations.NewsletterError as exc:
        raise _refused(exc) from exc


@bp.route("/newsletters/<int:issue_id>/schedule", methods=["POST"])
@requires(Role.organiser)
@bp.arguments(ScheduleInput)
@bp.response(200, Newsletter)
@bp.doc(summary="Schedule an issue; `tick` sends it from then on (organisers)")
def schedule_newsletter(data, issue_id):
    issue = db.session.get(Issue, issue_id)
    if issue is None:
        raise not_found()
    try:
        return operations.schedule(issue, data["send_at"])
    except operations.NewsletterError as exc:
        raise _refused(exc) from exc


@bp.route("/newsletter/subscribers", methods=["POST"])
@bp.arguments(SubscriberInput)
@bp.response(202, SubscriptionStarted)
@bp.doc(summary="Start a subscription: the address gets a confirmation link (double opt-in)")
def subscribe(data):
    try:
        operations.subscribe(data["email"], data["themes"], data["language"])
    except operations.NewsletterError as exc:
        raise _refused(exc) from exc
    return {"status": "confirmation_sent"}
