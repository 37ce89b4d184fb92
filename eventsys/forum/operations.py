"""Forum operations. Each takes the acting user, flushes and queues e-mail; the caller
commits."""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, time, timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from eventsys import database, mail
from eventsys.auth.access import organises
from eventsys.auth.models import Role, User
from eventsys.clock import current_timezone, local_date, utcnow
from eventsys.events.models import Event, EventKind, EventStatus
from eventsys.extensions import db
from eventsys.forum import rules, search
from eventsys.forum.models import (
    DigestSent,
    FollowMode,
    ForumCategory,
    ForumFollow,
    ForumPost,
    ForumThread,
    ModerationLog,
    PostReport,
    PostRevision,
    PostState,
)
from eventsys.registration.models import Registration
from eventsys.registration.rules import State
from eventsys.themes.models import Theme

log = logging.getLogger("eventsys.forum")

UNSUBSCRIBE_SALT = "eventsys-forum-unsubscribe"
MAX_TITLE = 200
MAX_BODY = 20_000
# Who has a seat at an event, and so a place in its thread.
PARTICIPATING = (State.CONFIRMED, State.ATTENDED)


class ForumError(Exception):
    """Something the person can fix; `code` is stable, `field` names the input."""

    def __init__(self, code: str, field: str | None = None):
        super().__init__(code)
        self.code = code
        self.field = field


# --- who may do what --------------------------------------------------------------------


def is_moderator(user: User | None) -> bool:
    return bool(user and user.is_authenticated and user.has_role(Role.organiser))


def is_participant(user: User | None, event_id: int) -> bool:
    if not (user and user.is_authenticated):
        return False
    return (
        db.session.scalar(
            select(Registration.id).where(
                Registration.event_id == event_id,
                Registration.user_id == user.id,
                Registration.state.in_(PARTICIPATING),
            )
        )
        is not None
    )


def can_read(user: User | None, thread: ForumThread) -> bool:
    """Category threads are public; an event's thread is for its participants."""
    if thread.event_id is None:
        return True
    return organises(user, thread.event_id) or is_participant(user, thread.event_id)


def can_post(user: User | None, thread: ForumThread) -> bool:
    return bool(
        user
        and user.is_authenticated
        and user.email_verified
        and not thread.is_locked
        and can_read(user, thread)
    )


def visible_posts(user: User | None, thread: ForumThread) -> list[ForumPost]:
    """Published posts; a moderator also sees pending and hidden ones, an author their
    own pending post."""
    query = (
        select(ForumPost)
        .where(ForumPost.thread_id == thread.id)
        .options(selectinload(ForumPost.author), selectinload(ForumPost.quoted))
        .order_by(ForumPost.created_at, ForumPost.id)
    )
    if not is_moderator(user):
        shown = ForumPost.state == PostState.published
        if user and user.is_authenticated:
            shown = or_(
                shown, and_(ForumPost.author_id == user.id, ForumPost.state == PostState.pending)
            )
        query = query.where(shown)
    return list(db.session.scalars(query))


# --- categories and threads -------------------------------------------------------------


def categories() -> list[ForumCategory]:
    return list(
        db.session.scalars(select(ForumCategory).order_by(ForumCategory.position, ForumCategory.id))
    )


def category_stats() -> dict[int, tuple[int, datetime | None]]:
    """Per category: the number of threads and the time of the newest post."""
    rows = db.session.execute(
        select(
            ForumThread.category_id, func.count(ForumThread.id), func.max(ForumThread.last_post_at)
        )
        .where(ForumThread.category_id.is_not(None))
        .group_by(ForumThread.category_id)
    )
    return {row[0]: (row[1], row[2]) for row in rows}


def ensure_theme_categories() -> int:
    """One category per theme of the vocabulary (slug = theme code); adds the missing."""
    have = set(db.session.scalars(select(ForumCategory.theme_id)))
    added = 0
    for theme in db.session.scalars(select(Theme).order_by(Theme.position, Theme.id)):
        if theme.id in have:
            continue
        if db.session.scalar(select(ForumCategory.id).where(ForumCategory.slug == theme.code)):
            continue
        db.session.add(
            ForumCategory(
                slug=theme.code,
                name_nb=theme.name_nb,
                name_en=theme.name_en,
                theme_id=theme.id,
                position=theme.position,
            )
        )
        added += 1
    db.session.flush()
    return added


def threads_in(category: ForumCategory) -> list[ForumThread]:
    return list(
        db.session.scalars(
            select(ForumThread)
            .where(ForumThread.category_id == category.id)
            .options(selectinload(ForumThread.author))
            .order_by(ForumThread.last_post_at.desc(), ForumThread.id.desc())
        )
    )


def post_counts(thread_ids: list[int]) -> dict[int, int]:
    if not thread_ids:
        return {}
    rows = db.session.execute(
        select(ForumPost.thread_id, func.count(ForumPost.id))
        .where(ForumPost.thread_id.in_(thread_ids), ForumPost.state == PostState.published)
        .group_by(ForumPost.thread_id)
    )
    return {thread_id: count for thread_id, count in rows}


def _check_text(title: str | None, body: str) -> None:
    if title is not None:
        if not title.strip():
            raise ForumError("title_required", "title")
        if len(title.strip()) > MAX_TITLE:
            raise ForumError("title_too_long", "title")
    if not (body or "").strip():
        raise ForumError("body_required", "body")
    if len(body) > MAX_BODY:
        raise ForumError("body_too_long", "body")


def _may_write(actor: User, thread: ForumThread | None) -> None:
    if not actor.email_verified:
        raise ForumError("not_verified")
    if thread is not None:
        if thread.is_locked:
            raise ForumError("thread_locked")
        if not can_read(actor, thread):
            raise ForumError("not_allowed")


def _add_post(
    actor: User, thread: ForumThread, body: str, now: datetime, quoted: ForumPost | None = None
) -> ForumPost:
    has_published = (
        db.session.scalar(
            select(ForumPost.id)
            .where(ForumPost.author_id == actor.id, ForumPost.state == PostState.published)
            .limit(1)
        )
        is not None
    )
    waits = rules.needs_moderation(is_moderator(actor), has_published)
    post = ForumPost(
        thread=thread,
        author=actor,
        body=body,
        state=PostState.pending if waits else PostState.published,
        quoted_post_id=quoted.id if quoted is not None else None,
        created_at=now,
        published_at=None if waits else now,
    )
    db.session.add(post)
    db.session.flush()
    if not waits:
        _published(post, now)
    return post


def _published(post: ForumPost, now: datetime) -> None:
    post.thread.last_post_at = now
    search.reindex(post.id, post.body, post.thread.category_id is not None)
    notify_followers(post)


def create_thread(
    actor: User, category: ForumCategory, title: str, body: str, now: datetime | None = None
) -> ForumThread:
    """A new thread with its first post (which may wait for a moderator)."""
    now = now or utcnow()
    _may_write(actor, None)
    _check_text(title, body)
    thread = ForumThread(
        category=category, title=title.strip(), author=actor, created_at=now, last_post_at=now
    )
    db.session.add(thread)
    _add_post(actor, thread, body, now)
    return thread


def reply(
    actor: User,
    thread: ForumThread,
    body: str,
    quoted_post_id: int | None = None,
    now: datetime | None = None,
) -> ForumPost:
    now = now or utcnow()
    _may_write(actor, thread)
    _check_text(None, body)
    quoted = None
    if quoted_post_id:
        quoted = db.session.get(ForumPost, quoted_post_id)
        if quoted is None or quoted.thread_id != thread.id or quoted.state != PostState.published:
            quoted = None
    return _add_post(actor, thread, body, now, quoted)


def event_thread(event: Event, create: bool = True) -> ForumThread | None:
    """The thread of a published seminar-like event (made the first time it is asked
    for; the unique key on event_id keeps it to one, however many ask at once)."""
    thread = db.session.scalar(select(ForumThread).where(ForumThread.event_id == event.id))
    if thread is not None or not create or not has_thread(event):
        return thread
    thread = ForumThread(event_id=event.id, title=event.title, last_post_at=utcnow())
    if not database.add_once(thread):
        thread = db.session.scalar(select(ForumThread).where(ForumThread.event_id == event.id))
    return thread


def has_thread(event: Event) -> bool:
    return event.status == EventStatus.published and event.kind in (
        EventKind.seminar,
        EventKind.workshop,
        EventKind.gathering,
    )


def ensure_event_threads() -> int:
    """Give every published seminar (and workshop, gathering) its thread (tick)."""
    missing = db.session.scalars(
        select(Event).where(
            Event.status == EventStatus.published,
            Event.kind.in_([EventKind.seminar, EventKind.workshop, EventKind.gathering]),
            ~select(ForumThread.id).where(ForumThread.event_id == Event.id).exists(),
        )
    ).all()
    for event in missing:
        event_thread(event)
    return len(missing)


# --- editing, reporting, moderation ----------------------------------------------------


def may_edit(user: User | None, post: ForumPost, now: datetime | None = None) -> bool:
    if not (user and user.is_authenticated) or post.state == PostState.hidden:
        return False
    return rules.may_edit(post.author_id == user.id, post.created_at, now or utcnow())


def edit_post(actor: User, post: ForumPost, body: str, now: datetime | None = None) -> ForumPost:
    """Change a post's text within the editing window; the old text is kept."""
    now = now or utcnow()
    if not may_edit(actor, post, now):
        raise ForumError("edit_window_over")
    if post.thread.is_locked:
        raise ForumError("thread_locked")
    _check_text(None, body)
    if body == post.body:
        return post
    post.revisions.append(
        PostRevision(body=post.body, written_at=post.edited_at or post.created_at, replaced_at=now)
    )
    post.body = body
    post.edited_at = now
    db.session.flush()
    search.reindex(
        post.id,
        post.body,
        post.state == PostState.published and post.thread.category_id is not None,
    )
    return post


def report(actor: User | None, post: ForumPost, reason: str) -> PostReport:
    reason = (reason or "").strip()
    if not reason:
        raise ForumError("reason_required", "reason")
    entry = PostReport(post=post, reporter_id=actor.id if actor else None, reason=reason[:2000])
    db.session.add(entry)
    db.session.flush()
    return entry


def _log(actor: User, action: str, reason: str, thread: ForumThread, post: ForumPost | None = None):
    db.session.add(
        ModerationLog(
            actor_id=actor.id,
            action=action,
            thread_id=thread.id,
            post_id=post.id if post is not None else None,
            reason=reason,
        )
    )


MODERATION = {
    # action: (states it applies to, the state after)
    "approve": ((PostState.pending,), PostState.published),
    "reject": ((PostState.pending,), PostState.rejected),
    "hide": ((PostState.published,), PostState.hidden),
    "unhide": ((PostState.hidden,), PostState.published),
}


def moderate_post(
    actor: User, post: ForumPost, action: str, reason: str, now: datetime | None = None
) -> ForumPost:
    """Approve or reject a waiting post, hide or show a published one; logged with the
    reason. Open reports on a hidden post are resolved."""
    now = now or utcnow()
    if not is_moderator(actor):
        raise ForumError("not_allowed")
    if action not in MODERATION:
        raise ForumError("unknown_action")
    reason = (reason or "").strip()
    if action != "approve" and not reason:
        raise ForumError("reason_required", "reason")
    before, after = MODERATION[action]
    if post.state not in before:
        raise ForumError("wrong_state")
    post.state = after
    _log(actor, action, reason, post.thread, post)
    if action in ("hide", "reject"):
        for entry in db.session.scalars(
            select(PostReport).where(
                PostReport.post_id == post.id, PostReport.resolved_at.is_(None)
            )
        ):
            entry.resolved_at, entry.resolved_by_id = now, actor.id
    db.session.flush()
    if action == "approve":
        post.published_at = now
        _published(post, now)
    else:
        search.reindex(
            post.id,
            post.body,
            post.state == PostState.published and post.thread.category_id is not None,
        )
    return post


def dismiss_report(actor: User, entry: PostReport, now: datetime | None = None) -> None:
    if not is_moderator(actor):
        raise ForumError("not_allowed")
    entry.resolved_at, entry.resolved_by_id = now or utcnow(), actor.id
    _log(actor, "dismiss", "", entry.post.thread, entry.post)
    db.session.flush()


def set_locked(
    actor: User, thread: ForumThread, locked: bool, reason: str, now: datetime | None = None
) -> ForumThread:
    if not is_moderator(actor):
        raise ForumError("not_allowed")
    reason = (reason or "").strip()
    if not reason:
        raise ForumError("reason_required", "reason")
    if locked == thread.is_locked:
        raise ForumError("wrong_state")
    thread.locked_at = (now or utcnow()) if locked else None
    _log(actor, "lock" if locked else "unlock", reason, thread)
    db.session.flush()
    return thread


def moderation_queue() -> dict:
    return {
        "pending": list(
            db.session.scalars(
                select(ForumPost)
                .where(ForumPost.state == PostState.pending)
                .options(selectinload(ForumPost.author), selectinload(ForumPost.thread))
                .order_by(ForumPost.created_at)
            )
        ),
        "reports": list(
            db.session.scalars(
                select(PostReport)
                .where(PostReport.resolved_at.is_(None))
                .options(selectinload(PostReport.post).selectinload(ForumPost.thread))
                .order_by(PostReport.created_at)
            )
        ),
        "log": list(
            db.session.scalars(
                select(ModerationLog)
                .options(selectinload(ModerationLog.actor))
                .order_by(ModerationLog.at.desc(), ModerationLog.id.desc())
                .limit(50)
            )
        ),
    }


# --- cards for links --------------------------------------------------------------------


def cards(posts: list[ForumPost]) -> dict[int, list]:
    """Per post: the published events (and resources) its text links to, as cards."""
    base = current_app.config["EVENTSYS_BASE_URL"]
    links = {post.id: rules.linked(post.body, base) for post in posts}
    event_ids = {link.id for found in links.values() for link in found if link.kind == "event"}
    events = {}
    if event_ids:
        events = {
            e.id: e
            for e in db.session.scalars(
                select(Event).where(Event.id.in_(event_ids), Event.status != EventStatus.draft)
            )
        }
    resources = _resources(
        {link.id for f in links.values() for link in f if link.kind == "resource"}
    )
    result: dict[int, list] = {}
    for post_id, found in links.items():
        result[post_id] = [
            ("event", events[link.id]) if link.kind == "event" else ("resource", resources[link.id])
            for link in found
            if (events if link.kind == "event" else resources).get(link.id) is not None
        ]
    return result


def _resources(ids: set[int]) -> dict:
    """Published resources by id, when the resource bank is installed."""
    if not ids:
        return {}
    try:
        from eventsys.resources.models import Resource, ResourceStatus
    except ImportError:
        return {}
    return {
        r.id: r
        for r in db.session.scalars(
            select(Resource).where(
                Resource.id.in_(ids), Resource.status == ResourceStatus.published
            )
        )
    }


# --- following, e-mail and digests ------------------------------------------------------


def follow(
    actor: User,
    mode: str,
    category: ForumCategory | None = None,
    thread: ForumThread | None = None,
) -> ForumFollow:
    """Follow a category or a thread (or change how); one follow per person and target."""
    try:
        mode = FollowMode(mode)
    except ValueError:
        raise ForumError("unknown_mode", "mode") from None
    if thread is not None and not can_read(actor, thread):
        raise ForumError("not_allowed")
    entry = db.session.scalar(
        select(ForumFollow).where(
            ForumFollow.user_id == actor.id,
            ForumFollow.category_id == category.id
            if category is not None
            else ForumFollow.thread_id == thread.id,
        )
    )
    if entry is None:
        entry = ForumFollow(user=actor, category=category, thread=thread, mode=mode)
        db.session.add(entry)
    entry.mode = mode
    db.session.flush()
    return entry


def unfollow(actor: User, follow_id: int) -> bool:
    entry = db.session.get(ForumFollow, follow_id)
    if entry is None or entry.user_id != actor.id:
        return False
    db.session.delete(entry)
    db.session.flush()
    return True


def follows_of(user: User) -> list[ForumFollow]:
    return list(
        db.session.scalars(
            select(ForumFollow)
            .where(ForumFollow.user_id == user.id)
            .options(selectinload(ForumFollow.category), selectinload(ForumFollow.thread))
            .order_by(ForumFollow.id)
        )
    )


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT)


def unsubscribe_token(entry: ForumFollow) -> str:
    return _serializer().dumps({"f": entry.id, "u": entry.user_id})


def unsubscribe_all_token(user_id: int, mode: FollowMode) -> str:
    return _serializer().dumps({"u": user_id, "m": mode.value})


def unsubscribe(token: str) -> bool | None:
    """Stop what an unsubscribe link names: one follow, or all of a person's digests
    of one kind. None when the link is not ours; False when it was done already."""
    try:
        payload = _serializer().loads(token)
        user_id = int(payload["u"])
    except (BadSignature, KeyError, TypeError, ValueError):
        return None
    query = select(ForumFollow).where(ForumFollow.user_id == user_id)
    if "f" in payload:
        query = query.where(ForumFollow.id == int(payload["f"]))
    elif payload.get("m") in FollowMode.__members__:
        query = query.where(ForumFollow.mode == FollowMode(payload["m"]))
    else:
        return None
    found = db.session.scalars(query).all()
    for entry in found:
        db.session.delete(entry)
    db.session.flush()
    return bool(found)


def unsubscribe_headers(url: str) -> dict[str, str]:
    """RFC 2369 / RFC 8058: mail clients show an unsubscribe button that POSTs here."""
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def _lang(locale: str | None) -> str:
    return "en" if locale == "en" else "nb"


def notify_followers(post: ForumPost) -> int:
    """E-mail the people who follow the post's thread or category at once (not its
    author; one e-mail a person, even if they follow both)."""
    thread = post.thread
    targets = [ForumFollow.thread_id == thread.id]
    if thread.category_id is not None:
        targets.append(ForumFollow.category_id == thread.category_id)
    entries = db.session.scalars(
        select(ForumFollow)
        .where(or_(*targets), ForumFollow.mode == FollowMode.immediate)
        .options(selectinload(ForumFollow.user))
        .order_by(ForumFollow.thread_id.is_(None), ForumFollow.id)
    ).all()
    base = current_app.config["EVENTSYS_BASE_URL"]
    told: set[int] = set()
    for entry in entries:
        user = entry.user
        if user.id in told or user.id == post.author_id:
            continue
        if thread.event_id is not None and not can_read(user, thread):
            continue
        told.add(user.id)
        url = f"{base}/forum/unsubscribe/{unsubscribe_token(entry)}"
        mail.queue(
            user.email,
            "forum/new_post",
            locale=_lang(user.locale),
            headers=unsubscribe_headers(url),
            post=post,
            thread=thread,
            follow=entry,
            post_url=f"{base}/forum/threads/{thread.id}#post-{post.id}",
            unsubscribe_url=url,
        )
    return len(told)


def _digest_posts(user: User, first: datetime, last: datetime) -> list[ForumPost]:
    entries = db.session.scalars(select(ForumFollow).where(ForumFollow.user_id == user.id)).all()
    thread_ids = [e.thread_id for e in entries if e.thread_id and e.mode != FollowMode.immediate]
    category_ids = [
        e.category_id for e in entries if e.category_id and e.mode != FollowMode.immediate
    ]
    if not thread_ids and not category_ids:
        return []
    posts = db.session.scalars(
        select(ForumPost)
        .join(ForumThread, ForumThread.id == ForumPost.thread_id)
        .where(
            ForumPost.state == PostState.published,
            ForumPost.published_at >= first,
            ForumPost.published_at < last,
            or_(ForumPost.author_id.is_(None), ForumPost.author_id != user.id),
            or_(ForumThread.id.in_(thread_ids), ForumThread.category_id.in_(category_ids)),
        )
        .options(selectinload(ForumPost.thread), selectinload(ForumPost.author))
        .order_by(ForumPost.thread_id, ForumPost.published_at)
    ).all()
    return [p for p in posts if p.thread.event_id is None or can_read(user, p.thread)]


def send_digests(now: datetime | None = None) -> int:
    """Queue the daily and weekly digests for the last whole period (Oslo days; weeks
    Monday to Sunday): one per person and period, however many ticks run on however
    many hosts — the DigestSent row's unique key decides. Flushes; returns e-mails."""
    now = now or utcnow()
    zone = current_timezone()
    today = local_date(now)
    base = current_app.config["EVENTSYS_BASE_URL"]
    sent = 0
    for mode in (FollowMode.daily, FollowMode.weekly):
        period = rules.last_complete_period(mode.value, today)
        first = datetime.combine(period.first, time(0), zone)
        last = datetime.combine(period.last + timedelta(days=1), time(0), zone)
        user_ids = db.session.scalars(
            select(ForumFollow.user_id)
            .where(
                ForumFollow.mode == mode,
                ~select(DigestSent.id)
                .where(
                    DigestSent.user_id == ForumFollow.user_id,
                    DigestSent.mode == mode,
                    DigestSent.period == period.key,
                )
                .exists(),
            )
            .distinct()
        ).all()
        for user_id in user_ids:
            user = db.session.get(User, user_id)
            entry = _claim_digest(user_id, mode, period.key)
            if entry is None:
                continue
            posts = _digest_posts(user, first, last)
            entry.posts = len(posts)
            if not posts:
                continue
            by_thread: dict[ForumThread, list[ForumPost]] = defaultdict(list)
            for post in posts:
                by_thread[post.thread].append(post)
            url = f"{base}/forum/unsubscribe/{unsubscribe_all_token(user_id, mode)}"
            message = mail.queue(
                user.email,
                "forum/digest",
                locale=_lang(user.locale),
                headers=unsubscribe_headers(url),
                user=user,
                mode=mode.value,
                period=period,
                threads=list(by_thread.items()),
                unsubscribe_url=url,
                account_url=f"{base}/forum/following",
            )
            entry.mail_id = message.id
            sent += 1
    db.session.flush()
    return sent


def _claim_digest(user_id: int, mode: FollowMode, period: str) -> DigestSent | None:
    entry = DigestSent(user_id=user_id, mode=mode, period=period)
    if not database.add_once(entry):
        log.info("digest %s %s for user %s was sent by another run", mode, period, user_id)
        return None
    return entry


def search_posts(query: str | None) -> list[ForumPost]:
    ids = search.matching_post_ids(query)
    if not ids:
        return []
    loaded = {
        p.id: p
        for p in db.session.scalars(
            select(ForumPost)
            .where(ForumPost.id.in_(ids))
            .options(selectinload(ForumPost.thread), selectinload(ForumPost.author))
        )
    }
    return [loaded[i] for i in ids if i in loaded]
