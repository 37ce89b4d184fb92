"""API: forum threads and posts (category threads; an event's thread for its people)."""

from __future__ import annotations

from flask import g
from sqlalchemy import select

from eventsys.api import ApiError, bp, not_found
from eventsys.api import fields as f
from eventsys.api.schemas import ApiSchema
from eventsys.extensions import db
from eventsys.forum import operations
from eventsys.forum.messages import MESSAGES
from eventsys.forum.models import ForumCategory, ForumThread

STATUS = {
    "not_allowed": 403,
    "not_verified": 403,
    "thread_locked": 409,
}


class ForumPost(ApiSchema):
    id = f.Id(required=True)
    author = f.Derived(f.Text(200, required=True), lambda p: p.author.name if p.author else "")
    body = f.Text(20000, required=True, metadata={"description": "Markdown"})
    state = f.Choice(("published", "pending", "hidden", "rejected"), required=True)
    quoted_post_id = f.Id(required=True, allow_none=True)
    created_at = f.Moment(required=True)
    edited_at = f.Moment(required=True, allow_none=True)


class ForumThreadSummary(ApiSchema):
    id = f.Id(required=True)
    category = f.Derived(
        f.Text(60, required=True, allow_none=True),
        lambda t: t.category.slug if t.category else None,
    )
    event_id = f.Id(required=True, allow_none=True)
    title = f.Text(200, required=True)
    locked = f.Derived(f.Boolean(required=True), lambda t: t.is_locked)
    created_at = f.Moment(required=True)
    last_post_at = f.Moment(required=True)


class ForumThreadDetail(ForumThreadSummary):
    posts = f.Derived(
        f.List(f.Nested(ForumPost), required=True),
        lambda t: operations.visible_posts(g.api_user, t),
    )


class ForumThreadList(ApiSchema):
    threads = f.List(f.Nested(ForumThreadSummary), required=True)


class ForumThreadFilter(ApiSchema):
    category = f.Text(60)


class ForumThreadInput(ApiSchema):
    category = f.Text(60, required=True, metadata={"description": "the category's slug"})
    title = f.Text(200, required=True)
    body = f.Text(20000, required=True)


class ForumPostInput(ApiSchema):
    body = f.Text(20000, required=True)
    quoted_post_id = f.Integer(minimum=1, maximum=2**31 - 1, allow_none=True)


def _refused(exc: operations.ForumError) -> ApiError:
    return ApiError(STATUS.get(exc.code, 400), exc.code, MESSAGES(exc.code))


def _category(slug: str) -> ForumCategory:
    found = db.session.scalar(select(ForumCategory).where(ForumCategory.slug == slug))
    if found is None:
        raise not_found()
    return found


def _thread(thread_id: int) -> ForumThread:
    thread = db.session.get(ForumThread, thread_id)
    if thread is None or not operations.can_read(g.api_user, thread):
        raise not_found()
    return thread


@bp.route("/forum/threads", methods=["GET"])
@bp.arguments(ForumThreadFilter, location="query")
@bp.response(200, ForumThreadList)
@bp.doc(summary="Threads of the forum's categories, newest post first")
def list_threads(filters):
    if filters.get("category"):
        return {"threads": operations.threads_in(_category(filters["category"]))}
    threads = db.session.scalars(
        select(ForumThread)
        .where(ForumThread.category_id.is_not(None))
        .order_by(ForumThread.last_post_at.desc(), ForumThread.id.desc())
        .limit(200)
    ).all()
    return {"threads": threads}


@bp.route("/forum/threads", methods=["POST"])
@bp.arguments(ForumThreadInput)
@bp.response(201, ForumThreadDetail)
@bp.doc(summary="Start a thread (a first post may wait for a moderator)")
def create_thread(data):
    try:
        return operations.create_thread(
            g.api_user, _category(data["category"]), data["title"], data["body"]
        )
    except operations.ForumError as exc:
        raise _refused(exc) from exc


@bp.route("/forum/threads/<int:thread_id>", methods=["GET"])
@bp.response(200, ForumThreadDetail)
@bp.doc(summary="A thread with the posts the caller may see")
def get_thread(thread_id):
    return _thread(thread_id)


@bp.route("/forum/threads/<int:thread_id>/posts", methods=["POST"])
@bp.arguments(ForumPostInput)
@bp.response(201, ForumPost)
@bp.doc(summary="Reply in a thread")
def create_post(data, thread_id):
    try:
        return operations.reply(
            g.api_user, _thread(thread_id), data["body"], data.get("quoted_post_id")
        )
    except operations.ForumError as exc:
        raise _refused(exc) from exc
