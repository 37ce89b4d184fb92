"""Newsletter operations: subscribing (double opt-in, or from the account), writing and
scheduling issues, and sending them in batches. Flush; the caller commits."""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, time, timedelta
from email.utils import parseaddr
from urllib.parse import quote

from email_validator import EmailNotValidError, validate_email
from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import and_, exists, func, not_, or_, select
from sqlalchemy.orm import selectinload

from eventsys import formatting, mail
from eventsys.arshjul import rules as arshjul_rules
from eventsys.arshjul.models import CycleItem
from eventsys.arshjul.operations import to_rule
from eventsys.arshjul.rules import Category
from eventsys.auth.models import User
from eventsys.clock import current_timezone, local_date, utcnow
from eventsys.content.markdown import render
from eventsys.database import lock_for_update
from eventsys.events.models import Event, EventStatus
from eventsys.extensions import db
from eventsys.newsletters.models import (
    Delivery,
    Issue,
    IssueStatus,
    Subscriber,
    issue_themes,
    subscriber_themes,
)
from eventsys.themes.operations import ThemeError, by_codes

log = logging.getLogger("eventsys.newsletters")

LANGUAGES = ("nb", "en")
BATCH_SIZE = 500
# A confirmation link older than this no longer confirms (a new sign-up sends another).
CONFIRM_DAYS = 14
# All-day årshjul items: the issue goes out at this local time on the day.
SEND_TIME = time(9, 0)


class NewsletterError(Exception):
    def __init__(self, code: str, field: str | None = None):
        super().__init__(code)
        self.code = code
        self.field = field


def _email(value: str) -> str:
    try:
        return validate_email((value or "").strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise NewsletterError("bad_email", "email") from None


def _language(value: str) -> str:
    if value not in LANGUAGES:
        raise NewsletterError("bad_language", "language")
    return value


def _themes(codes: list[str]):
    try:
        return by_codes(codes or [])
    except ThemeError:
        raise NewsletterError("unknown_theme", "themes") from None


# --- subscribers ------------------------------------------------------------------------


def subscription_of(user: User) -> Subscriber | None:
    return db.session.scalar(
        select(Subscriber).where(or_(Subscriber.user_id == user.id, Subscriber.email == user.email))
    )


def subscribe(
    email: str, themes: list[str], language: str, now: datetime | None = None
) -> Subscriber:
    """Start a double opt-in: keep the choices and e-mail a confirmation link. Someone
    already confirmed gets their choices updated and no e-mail; nothing tells the
    person at the form whether the address was known."""
    now = now or utcnow()
    email, language, chosen = _email(email), _language(language), _themes(themes)
    subscriber = db.session.scalar(select(Subscriber).where(Subscriber.email == email))
    if subscriber is None:
        subscriber = Subscriber(email=email, token=secrets.token_urlsafe(32), created_at=now)
        db.session.add(subscriber)
    if subscriber.active:
        # Changing what a confirmed subscriber gets must not be possible for anyone
        # who knows the address: the form only starts a new confirmation.
        pending = False
    else:
        subscriber.language, subscriber.themes = language, chosen
        subscriber.unsubscribed_at = None
        subscriber.confirmed_at = None
        subscriber.created_at = now
        pending = True
    db.session.flush()
    if pending:
        base = current_app.config["EVENTSYS_BASE_URL"]
        mail.queue(
            email,
            "newsletters/confirm",
            locale=language,
            confirm_url=f"{base}/newsletter/confirm/{subscriber.token}",
            days=CONFIRM_DAYS,
        )
    return subscriber


def by_token(token: str) -> Subscriber | None:
    if not token or len(token) > 64:
        return None
    return db.session.scalar(select(Subscriber).where(Subscriber.token == token))


def confirm(token: str, now: datetime | None = None) -> Subscriber:
    now = now or utcnow()
    subscriber = by_token(token)
    if subscriber is None:
        raise NewsletterError("bad_link")
    if subscriber.active:
        return subscriber
    if subscriber.unsubscribed_at is not None or now - subscriber.created_at > timedelta(
        days=CONFIRM_DAYS
    ):
        raise NewsletterError("link_expired")
    subscriber.confirmed_at = now
    db.session.flush()
    return subscriber


def unsubscribe(token: str, now: datetime | None = None) -> Subscriber | None:
    """Stop the newsletter for the link's subscriber at once (RFC 8058 one-click)."""
    subscriber = by_token(token)
    if subscriber is None:
        return None
    if subscriber.unsubscribed_at is None:
        subscriber.unsubscribed_at = now or utcnow()
        db.session.flush()
    return subscriber


def set_account_subscription(
    user: User, subscribed: bool, themes: list[str], language: str, now: datetime | None = None
) -> Subscriber | None:
    """An account opts in (or out) from /account: its address is verified already, so
    no confirmation e-mail."""
    now = now or utcnow()
    if subscribed and not user.email_verified:
        raise NewsletterError("not_verified")
    language, chosen = _language(language), _themes(themes)
    subscriber = subscription_of(user)
    if subscriber is None:
        if not subscribed:
            return None
        subscriber = Subscriber(email=user.email, token=secrets.token_urlsafe(32))
        db.session.add(subscriber)
    subscriber.user_id, subscriber.email = user.id, user.email
    subscriber.language, subscriber.themes = language, chosen
    if subscribed:
        subscriber.confirmed_at = subscriber.confirmed_at or now
        subscriber.unsubscribed_at = None
    elif subscriber.unsubscribed_at is None:
        subscriber.unsubscribed_at = now
    db.session.flush()
    return subscriber


# --- issues -----------------------------------------------------------------------------


def create_issue(actor: User, title: str, body: str, language: str, themes: list[str]) -> Issue:
    issue = Issue(created_by_id=actor.id, status=IssueStatus.draft)
    db.session.add(issue)
    return update_issue(issue, title, body, language, themes)


def update_issue(issue: Issue, title: str, body: str, language: str, themes: list[str]) -> Issue:
    if issue.status not in (IssueStatus.draft, IssueStatus.scheduled):
        raise NewsletterError("already_sent")
    title = (title or "").strip()
    if not title:
        raise NewsletterError("title_required", "title")
    if len(title) > 200:
        raise NewsletterError("title_too_long", "title")
    if len(body or "") > 100_000:
        raise NewsletterError("body_too_long", "body")
    issue.title, issue.body = title, body or ""
    issue.language, issue.themes = _language(language), _themes(themes)
    db.session.flush()
    return issue


def upcoming_events_markdown(
    now: datetime | None = None, limit: int = 5, language: str = "nb"
) -> str:
    """A Markdown list of the next published events, to pull into an issue, with their
    dates written in the issue's language."""
    now = now or utcnow()
    base = current_app.config["EVENTSYS_BASE_URL"]
    events = db.session.scalars(
        select(Event)
        .where(Event.status == EventStatus.published, Event.starts_at > now)
        .order_by(Event.starts_at)
        .limit(limit)
    ).all()
    with force_locale(_language(language)):
        return "\n".join(
            f"- [{e.title}]({base}/events/{e.id}) – {formatting.day(e.starts_at, 'long')}"
            for e in events
        )


def newest_resources_markdown(limit: int = 5) -> str:
    """A Markdown list of the newest published resources (when the resource bank is
    installed; empty otherwise)."""
    try:
        from eventsys.resources.models import Resource, ResourceStatus
    except ImportError:
        return ""
    base = current_app.config["EVENTSYS_BASE_URL"]
    found = db.session.scalars(
        select(Resource)
        .where(Resource.status == ResourceStatus.published)
        .order_by(Resource.id.desc())
        .limit(limit)
    ).all()
    return "\n".join(f"- [{r.title}]({base}/resources/{r.id})" for r in found)


def newsletter_items() -> list[CycleItem]:
    return list(
        db.session.scalars(
            select(CycleItem)
            .where(CycleItem.category == Category.NEWSLETTER, CycleItem.deleted_at.is_(None))
            .order_by(CycleItem.title_nb)
        )
    )


def next_occurrence(item: CycleItem, now: datetime) -> datetime | None:
    """When an årshjul item next happens (all-day items at SEND_TIME local)."""
    zone = current_timezone()
    today = local_date(now)
    for occurrence in arshjul_rules.occurrences(
        to_rule(item), today, today + timedelta(days=400), zone
    ):
        start = occurrence.start
        moment = datetime.combine(start, SEND_TIME, zone) if occurrence.all_day else start
        if moment > now:
            return moment
    return None


def schedule(
    issue: Issue,
    send_at: datetime | None,
    cycle_item: CycleItem | None = None,
    now: datetime | None = None,
) -> Issue:
    """Schedule an issue for `send_at`, or for the next occurrence of a newsletter item
    of the årshjul; the item then links to the issue."""
    now = now or utcnow()
    if issue.status not in (IssueStatus.draft, IssueStatus.scheduled):
        raise NewsletterError("already_sent")
    if not issue.body.strip():
        raise NewsletterError("body_required", "body")
    if cycle_item is not None and send_at is None:
        send_at = next_occurrence(cycle_item, now)
    if send_at is None:
        raise NewsletterError("send_at_required", "send_at")
    if send_at.tzinfo is None:
        send_at = send_at.replace(tzinfo=current_timezone())
    if send_at < now - timedelta(minutes=5):
        raise NewsletterError("send_at_past", "send_at")
    issue.send_at, issue.status = send_at, IssueStatus.scheduled
    if cycle_item is not None:
        issue.cycle_item_id = cycle_item.id
        cycle_item.link = f"{current_app.config['EVENTSYS_BASE_URL']}/newsletters/{issue.id}"
        cycle_item.sequence += 1
    db.session.flush()
    return issue


def unschedule(issue: Issue) -> Issue:
    if issue.status != IssueStatus.scheduled:
        raise NewsletterError("already_sent")
    issue.status, issue.send_at = IssueStatus.draft, None
    db.session.flush()
    return issue


def sent_issues(limit: int | None = None) -> list[Issue]:
    query = (
        select(Issue)
        .where(Issue.status == IssueStatus.sent)
        .options(selectinload(Issue.themes))
        .order_by(Issue.sent_at.desc(), Issue.id.desc())
    )
    if limit:
        query = query.limit(limit)
    return list(db.session.scalars(query))


# --- sending ----------------------------------------------------------------------------


def _mailto() -> str:
    configured = current_app.config.get("NEWSLETTER_UNSUBSCRIBE_MAILTO")
    return configured or parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1]


def list_headers(token: str) -> dict[str, str]:
    """RFC 2369 List-Unsubscribe (https and mailto) and RFC 8058 one-click."""
    base = current_app.config["EVENTSYS_BASE_URL"]
    https = f"{base}/newsletter/unsubscribe/{token}"
    mailto = f"mailto:{_mailto()}?subject={quote('unsubscribe ' + token)}"
    return {
        "List-Unsubscribe": f"<{https}>, <{mailto}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "List-Id": f"<newsletter.{parseaddr(current_app.config['MAIL_DEFAULT_SENDER'])[1].split('@')[-1]}>",
    }


def _queue_issue(
    issue: Issue, email: str, token: str, html_body, test: bool = False, flush: bool = True
):
    base = current_app.config["EVENTSYS_BASE_URL"]
    context = {
        "issue": issue,
        "html_body": html_body,
        "issue_url": f"{base}/newsletters/{issue.id}",
        "unsubscribe_url": f"{base}/newsletter/unsubscribe/{token}",
        "account_url": f"{base}/account/newsletter",
        "test": test,
    }
    with force_locale(issue.language):
        html = render_template("email/newsletters/issue.html", **context)
    return mail.queue(
        email,
        "newsletters/issue",
        locale=issue.language,
        headers=list_headers(token),
        html=html,
        flush=flush,
        **context,
    )


def send_test(issue: Issue, actor: User) -> None:
    """The issue as subscribers will get it, to the organiser alone."""
    subscriber = subscription_of(actor)
    token = subscriber.token if subscriber is not None else "test"
    _queue_issue(issue, actor.email, token, render(issue.body), test=True)


def _eligible(issue: Issue):
    """Active subscribers in the issue's language who chose one of its themes (or
    chose none: then they get everything), and who have not had it yet."""
    issue_has_themes = exists().where(issue_themes.c.issue_id == issue.id)
    chose_none = not_(exists().where(subscriber_themes.c.subscriber_id == Subscriber.id))
    chose_one = exists().where(
        subscriber_themes.c.subscriber_id == Subscriber.id,
        subscriber_themes.c.theme_id.in_(
            select(issue_themes.c.theme_id).where(issue_themes.c.issue_id == issue.id)
        ),
    )
    had_it = exists().where(Delivery.issue_id == issue.id, Delivery.subscriber_id == Subscriber.id)
    return and_(
        Subscriber.confirmed_at.is_not(None),
        Subscriber.unsubscribed_at.is_(None),
        Subscriber.language == issue.language,
        or_(not_(issue_has_themes), chose_none, chose_one),
        not_(had_it),
    )


def issues_due(now: datetime) -> list[int]:
    return list(
        db.session.scalars(
            select(Issue.id)
            .where(
                Issue.status.in_([IssueStatus.scheduled, IssueStatus.sending]),
                Issue.send_at <= now,
            )
            .order_by(Issue.send_at, Issue.id)
        )
    )


def send_batch(issue_id: int, now: datetime, size: int = BATCH_SIZE) -> int:
    """Queue the issue to the next `size` subscribers who have not had it. Under the
    issue's row lock, so two hosts take turns; each e-mail is queued with its Delivery
    row in the same transaction, so a crash loses nothing and repeats nothing.
    Returns how many were queued; 0 means the issue is done (and marked sent)."""
    issue = db.session.scalar(lock_for_update(select(Issue).where(Issue.id == issue_id)))
    if issue is None or issue.status not in (IssueStatus.scheduled, IssueStatus.sending):
        return 0
    if issue.send_at is None or issue.send_at > now:
        return 0
    subscribers = db.session.execute(
        select(Subscriber.id, Subscriber.email, Subscriber.token)
        .where(_eligible(issue))
        .order_by(Subscriber.id)
        .limit(size)
    ).all()
    if not subscribers:
        issue.status, issue.sent_at = IssueStatus.sent, now
        issue.recipients = db.session.scalar(
            select(func.count(Delivery.id)).where(Delivery.issue_id == issue.id)
        )
        db.session.flush()
        return 0
    issue.status = IssueStatus.sending
    html_body = render(issue.body)
    # One flush for the batch: the e-mails and their delivery rows go in as multi-row
    # INSERTs, not one statement per subscriber.
    messages = [
        _queue_issue(issue, email, token, html_body, flush=False)
        for _id, email, token in subscribers
    ]
    db.session.flush()
    db.session.add_all(
        Delivery(issue_id=issue.id, subscriber_id=subscriber_id, mail_id=message.id)
        for (subscriber_id, _email, _token), message in zip(subscribers, messages, strict=True)
    )
    db.session.flush()
    return len(subscribers)


def issue_with_themes(issue_id: int) -> Issue | None:
    return db.session.scalar(
        select(Issue).where(Issue.id == issue_id).options(selectinload(Issue.themes))
    )
