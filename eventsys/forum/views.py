"""Forum pages: categories, threads, posting, moderation, following, search."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from eventsys.auth.access import role_required
from eventsys.auth.models import Role
from eventsys.database import writes_database
from eventsys.events.models import Event
from eventsys.extensions import csrf, db
from eventsys.formerrors import attach
from eventsys.forum import operations, rules
from eventsys.forum.forms import (
    EditForm,
    FollowForm,
    PostForm,
    ReasonForm,
    ReportForm,
    ThreadForm,
)
from eventsys.forum.messages import MESSAGES
from eventsys.forum.models import ForumCategory, ForumFollow, ForumPost, ForumThread, PostReport

bp = Blueprint("forum", __name__, url_prefix="/forum")


error_message = MESSAGES


def _me():
    return current_user._get_current_object() if current_user.is_authenticated else None


def _category(slug: str) -> ForumCategory:
    category = db.session.scalar(db.select(ForumCategory).where(ForumCategory.slug == slug))
    if category is None:
        abort(404)
    return category


def _thread(thread_id: int) -> ForumThread:
    thread = db.session.get(ForumThread, thread_id)
    if thread is None:
        abort(404)
    if not operations.can_read(_me(), thread):
        if not current_user.is_authenticated:
            from eventsys.extensions import login_manager

            abort(login_manager.unauthorized())
        abort(403)
    return thread


def _post(post_id: int) -> ForumPost:
    post = db.session.get(ForumPost, post_id)
    if post is None:
        abort(404)
    _thread(post.thread_id)
    return post


def _my_follow(category=None, thread=None):
    me = _me()
    if me is None:
        return None
    query = db.select(ForumFollow).where(ForumFollow.user_id == me.id)
    if category is not None:
        query = query.where(ForumFollow.category_id == category.id)
    else:
        query = query.where(ForumFollow.thread_id == thread.id)
    return db.session.scalar(query)


@bp.route("")
def index():
    return render_template(
        "forum/index.html",
        categories=operations.categories(),
        stats=operations.category_stats(),
        moderator=operations.is_moderator(_me()),
    )


@bp.route("/search")
def search_page():
    q = (request.args.get("q") or "").strip()[:200]
    results = operations.search_posts(q) if q else []
    return render_template("forum/search.html", q=q, results=results)


@bp.route("/c/<slug>")
def category(slug):
    found = _category(slug)
    threads = operations.threads_in(found)
    follow = _my_follow(category=found)
    return render_template(
        "forum/category.html",
        category=found,
        threads=threads,
        counts=operations.post_counts([t.id for t in threads]),
        follow=follow,
        follow_form=FollowForm(mode=follow.mode.value if follow else "immediate"),
    )


@bp.route("/c/<slug>/new", methods=["GET", "POST"])
@login_required
def new_thread(slug):
    found = _category(slug)
    form = ThreadForm()
    if form.validate_on_submit():
        try:
            thread = operations.create_thread(_me(), found, form.title.data, form.body.data)
        except operations.ForumError as exc:
            db.session.rollback()
            found = _category(slug)
            attach(form, exc.field, error_message(exc.code))
        else:
            _flash_waiting(thread.id)
            return redirect(url_for("forum.thread", thread_id=thread.id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("forum/new_thread.html", category=found, form=form), status


def _flash_waiting(thread_id: int) -> None:
    post = db.session.scalar(
        db.select(ForumPost)
        .where(ForumPost.thread_id == thread_id, ForumPost.author_id == current_user.id)
        .order_by(ForumPost.id.desc())
    )
    if post is not None and post.state == "pending":
        flash(
            _("Thank you! Your first post is shown to others when a moderator has approved it."),
            "info",
        )
    else:
        flash(_("Your post is published."), "success")


def _thread_page(thread: ForumThread, form: PostForm | None = None, status: int = 200):
    me = _me()
    posts = operations.visible_posts(me, thread)
    if form is None:
        form = PostForm()
        quote_id = request.args.get("quote", type=int)
        quoted = next((p for p in posts if p.id == quote_id and p.state == "published"), None)
        if quoted is not None:
            form.body.data = rules.quote(quoted.body, quoted.author.name if quoted.author else "")
            form.quote.data = str(quoted.id)
    follow = _my_follow(thread=thread)
    return render_template(
        "forum/thread.html",
        thread=thread,
        posts=posts,
        cards=operations.cards(posts),
        form=form,
        can_post=operations.can_post(me, thread),
        moderator=operations.is_moderator(me),
        editable={p.id for p in posts if operations.may_edit(me, p)},
        follow=follow,
        follow_form=FollowForm(mode=follow.mode.value if follow else "immediate"),
    ), status


@bp.route("/threads/<int:thread_id>")
def thread(thread_id):
    return _thread_page(_thread(thread_id))


@bp.route("/threads/<int:thread_id>/reply", methods=["POST"])
@login_required
def reply(thread_id):
    found = _thread(thread_id)
    form = PostForm()
    if form.validate_on_submit():
        quote = int(form.quote.data) if (form.quote.data or "").isdigit() else None
        try:
            post = operations.reply(_me(), found, form.body.data, quote)
        except operations.ForumError as exc:
            db.session.rollback()
            attach(form, exc.field or "body", error_message(exc.code))
            return _thread_page(_thread(thread_id), form, 422)
        if post.state == "pending":
            flash(
                _(
                    "Thank you! Your first post is shown to others when a moderator has approved it."
                ),
                "info",
            )
        return redirect(url_for("forum.thread", thread_id=thread_id, _anchor=f"post-{post.id}"))
    return _thread_page(found, form, 422)


@bp.route("/events/<int:event_id>")
@writes_database
@login_required
def event_thread(event_id):
    event = db.session.get(Event, event_id)
    if event is None or not operations.has_thread(event):
        abort(404)
    found = operations.event_thread(event)
    return redirect(url_for("forum.thread", thread_id=found.id))


@bp.route("/posts/<int:post_id>/edit", methods=["GET", "POST"])
@login_required
def edit(post_id):
    post = _post(post_id)
    if not operations.may_edit(_me(), post):
        abort(403)
    form = EditForm(obj=post)
    if form.validate_on_submit():
        try:
            operations.edit_post(_me(), post, form.body.data)
        except operations.ForumError as exc:
            db.session.rollback()
            post = _post(post_id)
            attach(form, exc.field or "body", error_message(exc.code))
        else:
            flash(_("The post is changed."), "success")
            return redirect(
                url_for("forum.thread", thread_id=post.thread_id, _anchor=f"post-{post.id}")
            )
    status = 422 if form.errors or form.form_errors else 200
    return render_template("forum/edit.html", post=post, form=form), status


@bp.route("/posts/<int:post_id>/history")
def history(post_id):
    post = _post(post_id)
    if post.state != "published" and not operations.is_moderator(_me()):
        abort(404)
    return render_template("forum/history.html", post=post)


@bp.route("/posts/<int:post_id>/report", methods=["GET", "POST"])
@login_required
def report(post_id):
    post = _post(post_id)
    form = ReportForm()
    if form.validate_on_submit():
        try:
            operations.report(_me(), post, form.reason.data)
        except operations.ForumError as exc:
            db.session.rollback()
            attach(form, exc.field, error_message(exc.code))
        else:
            flash(_("Thank you. A moderator will look at the post."), "success")
            return redirect(url_for("forum.thread", thread_id=post.thread_id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("forum/report.html", post=post, form=form), status


ACTION_LABELS = {
    "approve": lambda: _("Approve"),
    "reject": lambda: _("Reject"),
    "hide": lambda: _("Hide"),
    "unhide": lambda: _("Show again"),
}


@bp.route(
    "/posts/<int:post_id>/moderate/<any(approve, reject, hide, unhide):action>",
    methods=["GET", "POST"],
)
@role_required(Role.organiser)
def moderate(post_id, action):
    post = _post(post_id)
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            operations.moderate_post(_me(), post, action, form.reason.data)
        except operations.ForumError as exc:
            db.session.rollback()
            post = _post(post_id)
            attach(form, exc.field or "reason", error_message(exc.code))
        else:
            flash(_("Done. The action is logged."), "success")
            return redirect(
                request.args.get("next") == "queue"
                and url_for("forum.moderation")
                or url_for("forum.thread", thread_id=post.thread_id)
            )
    status = 422 if form.errors or form.form_errors else 200
    return render_template(
        "forum/moderate.html", post=post, form=form, action=action, label=ACTION_LABELS[action]()
    ), status


@bp.route("/threads/<int:thread_id>/<any(lock, unlock):action>", methods=["GET", "POST"])
@role_required(Role.organiser)
def lock(thread_id, action):
    found = _thread(thread_id)
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            operations.set_locked(_me(), found, action == "lock", form.reason.data)
        except operations.ForumError as exc:
            db.session.rollback()
            found = _thread(thread_id)
            attach(form, exc.field or "reason", error_message(exc.code))
        else:
            flash(_("Done. The action is logged."), "success")
            return redirect(url_for("forum.thread", thread_id=thread_id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("forum/lock.html", thread=found, form=form, action=action), status


@bp.route("/moderation")
@role_required(Role.organiser)
def moderation():
    return render_template("forum/moderation.html", **operations.moderation_queue())


@bp.route("/reports/<int:report_id>/dismiss", methods=["POST"])
@role_required(Role.organiser)
def dismiss(report_id):
    entry = db.session.get(PostReport, report_id)
    if entry is None:
        abort(404)
    if ReasonForm().validate_on_submit():
        operations.dismiss_report(_me(), entry)
        flash(_("The report is closed."), "success")
    return redirect(url_for("forum.moderation"))


@bp.route("/categories/from-themes", methods=["POST"])
@role_required(Role.organiser)
def categories_from_themes():
    if ReasonForm().validate_on_submit():
        added = operations.ensure_theme_categories()
        flash(_("%(count)s categories added.", count=added), "success")
    return redirect(url_for("forum.index"))


@bp.route("/follow", methods=["POST"])
@login_required
def follow():
    form = FollowForm()
    category = thread = None
    if request.form.get("category"):
        category = _category(request.form["category"])
    elif request.form.get("thread", "").isdigit():
        thread = _thread(int(request.form["thread"]))
    else:
        abort(400)
    if not form.validate_on_submit():
        abort(400)
    try:
        operations.follow(_me(), form.mode.data, category=category, thread=thread)
    except operations.ForumError:
        abort(403)
    flash(_("You follow it now. Change or stop at any time under Following."), "success")
    if category is not None:
        return redirect(url_for("forum.category", slug=category.slug))
    return redirect(url_for("forum.thread", thread_id=thread.id))


@bp.route("/following", methods=["GET", "POST"])
@login_required
def following():
    if request.method == "POST":
        if ReasonForm().validate_on_submit() and request.form.get("follow", "").isdigit():
            operations.unfollow(_me(), int(request.form["follow"]))
            flash(_("You no longer follow it."), "success")
        return redirect(url_for("forum.following"))
    return render_template("forum/following.html", follows=operations.follows_of(_me()))


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(token):
    """RFC 8058: a mail client's one-click POST unsubscribes at once, with no page in
    between. A GET (a person clicking the link, or a mail scanner) only shows a button."""
    if request.method == "POST":
        result = operations.unsubscribe(token)
        if result is None:
            abort(404)
        return render_template("forum/unsubscribed.html")
    return render_template("forum/unsubscribe.html", token=token)
