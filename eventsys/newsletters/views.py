"""Newsletter pages: subscribing, confirming, unsubscribing (one click), the account's
choice, past issues and their feed, and the organisers' editor."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from eventsys.auth.access import role_required
from eventsys.auth.models import Role
from eventsys.content.markdown import render
from eventsys.extensions import csrf, db
from eventsys.formerrors import attach
from eventsys.newsletters import feed, operations
from eventsys.newsletters.forms import (
    AccountSubscriptionForm,
    IssueForm,
    ScheduleForm,
    SubscribeForm,
)
from eventsys.newsletters.messages import MESSAGES
from eventsys.newsletters.models import Issue, IssueStatus
from eventsys.themes.operations import all_themes

bp = Blueprint("newsletters", __name__)


error_message = MESSAGES


def _theme_choices(form) -> None:
    form.themes.choices = [(t.code, t.name(_locale())) for t in all_themes()]


def _locale() -> str:
    from flask_babel import get_locale

    return str(get_locale())


# --- public -----------------------------------------------------------------------------


@bp.route("/newsletters")
def index():
    return render_template("newsletters/index.html", issues=operations.sent_issues())


@bp.route("/newsletters.atom")
def atom():
    body = feed.atom(operations.sent_issues(limit=30), _locale())
    return Response(body, mimetype="application/atom+xml")


@bp.route("/newsletters/<int:issue_id>")
def show(issue_id):
    issue = db.session.get(Issue, issue_id)
    organiser = current_user.is_authenticated and current_user.has_role(Role.organiser)
    if issue is None or (issue.status != IssueStatus.sent and not organiser):
        abort(404)
    return render_template(
        "newsletters/show.html", issue=issue, preview=issue.status != IssueStatus.sent
    )


@bp.route("/newsletter/subscribe", methods=["GET", "POST"])
def subscribe():
    form = SubscribeForm()
    _theme_choices(form)
    if form.validate_on_submit():
        try:
            operations.subscribe(form.email.data, form.themes.data, form.language.data)
        except operations.NewsletterError as exc:
            db.session.rollback()
            attach(form, exc.field, error_message(exc.code))
        else:
            return render_template("newsletters/check_email.html")
    status = 422 if form.errors or form.form_errors else 200
    return render_template("newsletters/subscribe.html", form=form), status


@bp.route("/newsletter/confirm/<token>", methods=["GET", "POST"])
def confirm(token):
    """A GET shows a button (mail scanners follow links); the POST confirms."""
    if request.method == "POST":
        try:
            operations.confirm(token)
        except operations.NewsletterError as exc:
            return render_template("newsletters/message.html", message=error_message(exc.code)), 404
        return render_template(
            "newsletters/message.html", message=_("Thank you! You now get the newsletter.")
        )
    if operations.by_token(token) is None:
        abort(404)
    return render_template("newsletters/confirm.html")


@bp.route("/newsletter/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(token):
    """RFC 8058: the mail client's POST (body List-Unsubscribe=One-Click) unsubscribes at
    once, without a page between; a GET shows a button that does the same."""
    if request.method == "POST":
        if operations.unsubscribe(token) is None:
            abort(404)
        return render_template(
            "newsletters/message.html", message=_("You are unsubscribed: no more newsletters.")
        )
    if operations.by_token(token) is None:
        abort(404)
    return render_template("newsletters/unsubscribe.html")


@bp.route("/account/newsletter", methods=["GET", "POST"])
@login_required
def account():
    me = current_user._get_current_object()
    subscriber = operations.subscription_of(me)
    form = AccountSubscriptionForm()
    _theme_choices(form)
    if request.method == "GET":
        form.subscribed.data = bool(subscriber and subscriber.active)
        form.themes.data = [t.code for t in subscriber.themes] if subscriber else []
        form.language.data = subscriber.language if subscriber else me.locale or "nb"
    if form.validate_on_submit():
        try:
            operations.set_account_subscription(
                me, form.subscribed.data, form.themes.data, form.language.data
            )
        except operations.NewsletterError as exc:
            db.session.rollback()
            attach(form, exc.field, error_message(exc.code))
        else:
            flash(_("Your newsletter choice is saved."), "success")
            return redirect(url_for("newsletters.account"))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("newsletters/account.html", form=form), status


# --- organisers -------------------------------------------------------------------------


def _issue(issue_id: int) -> Issue:
    issue = db.session.get(Issue, issue_id)
    if issue is None:
        abort(404)
    return issue


@bp.route("/organiser/newsletters")
@role_required(Role.organiser)
def admin_index():
    issues = db.session.scalars(db.select(Issue).order_by(Issue.id.desc())).all()
    return render_template("newsletters/admin_index.html", issues=issues)


@bp.route("/organiser/newsletters/new", methods=["GET", "POST"])
@role_required(Role.organiser)
def create():
    form = IssueForm()
    _theme_choices(form)
    if form.validate_on_submit():
        try:
            issue = operations.create_issue(
                current_user._get_current_object(),
                form.title.data,
                form.body.data,
                form.language.data,
                form.themes.data,
            )
        except operations.NewsletterError as exc:
            db.session.rollback()
            attach(form, exc.field, error_message(exc.code))
        else:
            flash(_("The draft is saved."), "success")
            return redirect(url_for("newsletters.edit", issue_id=issue.id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("newsletters/form.html", form=form, issue=None), status


def _schedule_form(issue: Issue) -> ScheduleForm:
    form = ScheduleForm(prefix="schedule")
    form.cycle_item.choices = [("", _("None"))] + [
        (str(item.id), item.title_nb) for item in operations.newsletter_items()
    ]
    return form


@bp.route("/organiser/newsletters/<int:issue_id>", methods=["GET", "POST"])
@role_required(Role.organiser)
def edit(issue_id):
    issue = _issue(issue_id)
    form = IssueForm(obj=issue) if request.method == "GET" else IssueForm()
    _theme_choices(form)
    if request.method == "GET":
        form.themes.data = [t.code for t in issue.themes]
    action = request.form.get("action", "save")
    if form.validate_on_submit():
        body = form.body.data or ""
        if action == "events":
            body = (
                body.rstrip()
                + "\n\n"
                + operations.upcoming_events_markdown(language=form.language.data)
                + "\n"
            )
        elif action == "resources":
            body = body.rstrip() + "\n\n" + operations.newest_resources_markdown() + "\n"
        try:
            operations.update_issue(
                issue, form.title.data, body, form.language.data, form.themes.data
            )
            if action == "test":
                operations.send_test(issue, current_user._get_current_object())
        except operations.NewsletterError as exc:
            db.session.rollback()
            issue = _issue(issue_id)
            attach(form, exc.field, error_message(exc.code))
        else:
            flash(
                _("A test is sent to %(email)s.", email=current_user.email)
                if action == "test"
                else _("The draft is saved."),
                "success",
            )
            return redirect(url_for("newsletters.edit", issue_id=issue.id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template(
        "newsletters/form.html",
        form=form,
        issue=issue,
        schedule_form=_schedule_form(issue),
        preview=render(issue.body),
    ), status


@bp.route("/organiser/newsletters/<int:issue_id>/schedule", methods=["POST"])
@role_required(Role.organiser)
def schedule(issue_id):
    issue = _issue(issue_id)
    form = _schedule_form(issue)
    if form.validate_on_submit():
        item = None
        if (form.cycle_item.data or "").isdigit():
            item = next(
                (i for i in operations.newsletter_items() if i.id == int(form.cycle_item.data)),
                None,
            )
        try:
            if request.form.get("action") == "unschedule":
                operations.unschedule(issue)
            else:
                operations.schedule(issue, form.send_at.data, item)
        except operations.NewsletterError as exc:
            db.session.rollback()
            flash(error_message(exc.code), "error")
        else:
            flash(_("The schedule is saved."), "success")
    else:
        flash(_("Choose a time, or an årshjul item with a coming date."), "error")
    return redirect(url_for("newsletters.edit", issue_id=issue_id))
