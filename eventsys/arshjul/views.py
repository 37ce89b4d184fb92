"""Årshjul pages and feeds: the year wheel, the iCalendar feeds (public, private, one
event), a person's calendar link and follows, unsubscribing, and the organisers'
cycle item pages."""

from __future__ import annotations

import re
from collections import OrderedDict
from datetime import date, timedelta
from urllib.parse import urlencode

from babel.lists import format_list
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from eventsys import formatting
from eventsys.arshjul import operations, rules, wheel
from eventsys.arshjul.forms import (
    AUDIENCE_LABELS,
    CATEGORY_LABELS,
    NTH_LABELS,
    ConfirmForm,
    CycleItemForm,
    FollowForm,
)
from eventsys.arshjul.messages import MESSAGES
from eventsys.arshjul.models import CycleItem
from eventsys.arshjul.rules import Audience, Category, RecurrenceKind
from eventsys.auth.access import role_required
from eventsys.auth.models import Role
from eventsys.database import local_date, utcnow, writes_database
from eventsys.events.models import Event, EventStatus
from eventsys.extensions import db
from eventsys.formatting import day_month, days_between, period

bp = Blueprint("arshjul", __name__)

MIN_YEAR, MAX_YEAR = 1970, 2200


# --- presentation ---------------------------------------------------------------------


def _lang() -> str:
    return formatting.lang()


@bp.app_template_filter("arshjul_category")
def category_label(category) -> str:
    return str(CATEGORY_LABELS.get(Category(category), category))


@bp.app_template_filter("arshjul_audience")
def audience_label(audience) -> str:
    return str(AUDIENCE_LABELS.get(audience, audience))


@bp.app_template_filter("arshjul_when")
def entry_when(entry: wheel.Entry) -> str:
    """'mandag 13. september 2027' or a period, or with the time for timed entries."""
    if entry.all_day:
        if entry.several_days:
            return days_between(entry.first_day, entry.last_day)
        return formatting.day(entry.first_day, "full")
    return period(entry.start, entry.end)


@bp.app_template_filter("arshjul_recurrence")
def recurrence_text(item: CycleItem) -> str:
    """How an item repeats, in words: 'Hvert år 15. februar', 'Andre mandag i september',
    '15. januar 2027' for a one-off, 'Hvert år 15. januar, 2025–2027' for some years."""
    text = _recurrence_words(item)
    return text[:1].upper() + text[1:]


def _and(words) -> str:
    """'mandag og onsdag' / 'Monday and Wednesday'."""
    return format_list([str(word) for word in words], locale=formatting.babel_locale())


def _day_number(number: int) -> str:
    """A day of the month as an ordinal: '15.' / '15th'."""
    if formatting.lang() == "nb":
        return f"{number}."
    suffix = (
        "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    )
    return f"{number}{suffix}"


def _nth_word(n: int) -> str:
    return str(dict(NTH_LABELS).get(n) or _("fifth"))


def _recurrence_words(item: CycleItem) -> str:
    kind = item.recurrence_kind
    if kind == RecurrenceKind.RRULE:
        return _custom_rule_words(rules.rule_shape(item.rrule, item.rrule_start))
    first, last = item.first_year, item.last_year
    if first is not None and first == last:
        once = _once(item, first)
        if once:
            return once
    if kind == RecurrenceKind.FIXED_DATE:
        text = _("Every year on %(date)s", date=day_month(item.month, item.day))
    elif kind == RecurrenceKind.NTH_WEEKDAY:
        text = _(
            "The %(nth)s %(weekday)s of %(month)s",
            nth=_nth_word(item.nth),
            weekday=formatting.weekday_names()[item.weekday],
            month=formatting.month_names()[item.month - 1],
        )
    else:
        text = _(
            "Every year from %(start)s to %(end)s",
            start=day_month(item.month, item.day),
            end=day_month(item.end_month, item.end_day),
        )
    if first is not None and last is not None:
        return f"{text}, {first}–{last}"
    if first is not None:
        return _("%(text)s, from %(year)s", text=text, year=first)
    if last is not None:
        return _("%(text)s, until %(year)s", text=text, year=last)
    return text


def _once(item: CycleItem, year: int) -> str | None:
    """The one date (or days) of an item that takes place in one year only."""
    try:
        if item.recurrence_kind == RecurrenceKind.FIXED_DATE:
            return formatting.day(date(year, item.month, item.day), "long")
        if item.recurrence_kind == RecurrenceKind.NTH_WEEKDAY:
            found = rules.nth_weekday_of_month(year, item.month, item.weekday, item.nth)
            return formatting.day(found, "full")
        recurrence = rules.Recurrence.period(item.month, item.day, item.end_month, item.end_day)
    except (ValueError, rules.CycleRuleError):  # 29 February of a common year
        return None
    start = date(year, item.month, item.day)
    return days_between(start, start + timedelta(days=recurrence.period_length() - 1))


def _custom_rule_words(shape: rules.RuleShape) -> str:
    """A custom rule in words, with its start and its end (COUNT or UNTIL)."""
    words = _rule_words(shape) if shape.plain else None
    parts = [words or _("By a custom rule"), _("from %(date)s", date=formatting.day(shape.start))]
    if shape.count is not None:
        parts.append(ngettext("%(num)d time", "%(num)d times", shape.count))
    if shape.until is not None:
        parts.append(_("until %(date)s", date=formatting.day(shape.until)))
    return ", ".join(parts)


def _rule_words(shape: rules.RuleShape) -> str | None:
    """What a plain custom rule says, or None when a sentence would not be true."""
    month_names, weekday_names = formatting.month_names(), formatting.weekday_names()
    months = _and(month_names[m - 1] for m in shape.months)
    n = shape.interval
    if shape.freq == "YEARLY":
        every = _("every %(n)d years", n=n) if n > 1 else ""
    elif shape.freq == "MONTHLY":
        every = _("every %(n)d months", n=n) if n > 1 else ""
    else:
        every = ""
    if shape.weekdays and shape.weekdays[0][1] is not None:  # the second Monday …
        days = _and(
            _("%(nth)s %(weekday)s", nth=_nth_word(nth), weekday=weekday_names[weekday])
            for weekday, nth in shape.weekdays
        )
        if months:
            text = _("The %(days)s of %(months)s", days=days, months=months)
        elif n == 1:
            text = _("The %(days)s of every month", days=days)
        else:
            text = _("The %(days)s of the month", days=days)
    elif shape.weekdays:  # every Monday …
        days = _and(weekday_names[weekday] for weekday, _nth in shape.weekdays)
        if shape.freq == "WEEKLY":
            if n == 1:
                text = _("Every week on %(days)s", days=days)
            else:
                text = _("Every %(n)d weeks on %(days)s", n=n, days=days)
            if months:
                text = _("%(text)s, in %(months)s", text=text, months=months)
        elif months:
            text = _("Every %(days)s in %(months)s", days=days, months=months)
        else:
            text = _("Every %(days)s", days=days)
    elif shape.freq == "YEARLY":  # 15 March …
        dates = []
        for month in shape.months:
            for day_of_month in shape.month_days:
                try:
                    dates.append(day_month(month, day_of_month))
                except ValueError:  # 30 February: never
                    continue
        if not dates:
            return None
        text = _("Every year on %(date)s", date=_and(dates))
        every = ""
        if n > 1:
            text = _("Every %(n)d years on %(dates)s", n=n, dates=_and(dates))
    else:  # the 15th of every month
        days = _and(_day_number(d) for d in shape.month_days)
        if n == 1:
            text = _("Every month on the %(days)s", days=days)
        else:
            text = _("Every %(n)d months on the %(days)s", n=n, days=days)
        every = ""
        if months:
            text = _("%(text)s, in %(months)s", text=text, months=months)
    return f"{text}, {every}" if every else text


def _month_names(width: str) -> list[str]:
    return formatting.month_names(width)


# --- request arguments ----------------------------------------------------------------


def _year() -> int:
    raw = request.args.get("year")
    if raw is None or raw == "":
        return local_date().year
    if not re.fullmatch(r"\d{4}", raw) or not MIN_YEAR <= int(raw) <= MAX_YEAR:
        abort(400)
    return int(raw)


def _categories() -> list[Category] | None:
    """?category=… (repeatable); none means every category. An unknown one is a 400,
    so a mistyped feed address does not quietly show everything."""
    raw = request.args.getlist("category")
    if not raw:
        return None
    try:
        chosen = {Category(value) for value in raw}
    except ValueError:
        abort(400)
    return [category for category in operations.CATEGORIES if category in chosen]


def _viewer():
    return current_user if current_user.is_authenticated else None


# --- the year wheel -------------------------------------------------------------------


def _wheel(year: int, entries, today: date | None) -> wheel.Wheel:
    labels = {category: category_label(category) for category in Category}
    return wheel.layout(year, entries, today, labels, _month_names("abbreviated"))


def _feed_links(categories: list[Category] | None) -> dict:
    base = current_app.config["EVENTSYS_BASE_URL"]
    query = urlencode([("category", c.value) for c in categories or []])
    https = f"{base}{url_for('arshjul.feed')}" + (f"?{query}" if query else "")
    webcal = re.sub(r"^https?://", "webcal://", https)
    return {
        "https": https,
        "webcal": webcal,
        "download": url_for("arshjul.feed") + (f"?{query}" if query else ""),
    }


@bp.route("/arshjul")
def index():
    year = _year()
    categories = _categories()
    today = local_date()
    viewer = _viewer()
    # Organisers keep the årshjul, so their overview has every item; everybody else
    # sees what their private feed and reminders would give them.
    if viewer is not None and viewer.has_role(Role.organiser):
        audiences = set(Audience)
    else:
        audiences = operations.audiences_for(viewer)
    entries = operations.year_entries(year, audiences, categories, _lang())
    # How each item repeats, under its date; a one-off item's date says it all.
    repeats = {
        item.id: recurrence_text(item)
        for item in operations.live_items(audiences, categories)
        if item.first_year is None or item.first_year != item.last_year
    }
    months: OrderedDict[int, list] = OrderedDict((month, []) for month in range(1, 13))
    for entry in entries:
        months[max(entry.first_day, date(year, 1, 1)).month].append(entry)
    return render_template(
        "arshjul/index.html",
        year=year,
        today=today,
        wheel=_wheel(year, entries, today),
        entries=entries,
        months=months,
        month_names=[name.capitalize() for name in _month_names("wide")],
        categories=categories,
        all_categories=operations.CATEGORIES,
        links=_feed_links(categories),
        repeats=repeats,
    )


@bp.route("/arshjul.svg")
def wheel_svg():
    """The wheel alone, of the public items and events, for embedding elsewhere."""
    year = _year()
    categories = _categories()
    today = local_date()
    entries = operations.year_entries(year, operations.audiences_for(None), categories, _lang())
    base = current_app.config["EVENTSYS_BASE_URL"]
    svg = render_template(
        "arshjul/_wheel.svg.html",
        wheel=_wheel(year, entries, today),
        standalone=True,
        page_url=f"{base}{url_for('arshjul.index', year=year)}",
        base_url=base,
    )
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


# --- iCalendar ------------------------------------------------------------------------


def _calendar_response(feed: operations.Feed, filename: str, *, private: bool = False):
    response = Response(feed.data, mimetype="text/calendar")
    response.set_etag(feed.etag.strip('"'))
    # HTTP dates have whole seconds: a second change within the second of the last
    # one would not move Last-Modified, so it is only sent once that second is over.
    # A private feed also changes when someone unfollows (a deleted row), so its time
    # could go backwards; it is validated by its ETag alone.
    if not private and feed.last_modified + timedelta(seconds=1) <= utcnow():
        response.last_modified = feed.last_modified
    response.headers["Cache-Control"] = "private, no-cache" if private else "public, no-cache"
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response.make_conditional(request)


@bp.route("/arshjul.ics")
def feed():
    """The public årshjul: public items and published or cancelled events;
    ?category= (repeatable) and ?year= narrow it."""
    year = request.args.get("year")
    feed = operations.public_feed(_categories(), _year() if year else None, _lang())
    return _calendar_response(feed, "arshjul.ics")


@bp.route("/events/<int:event_id>.ics")
def event_calendar(event_id):
    event = db.session.get(Event, event_id)
    if event is None or event.status == EventStatus.draft:
        abort(404)
    data = operations.event_ics(event, _lang())
    feed = operations.Feed(data, event.updated_at, operations.ical.etag_for(data))
    response = _calendar_response(feed, f"event-{event.id}.ics")
    response.headers["Content-Disposition"] = f'attachment; filename="event-{event.id}.ics"'
    return response


@bp.route("/calendar/<token>.ics")
def private_feed(token):
    user = operations.user_for_calendar_token(token)
    if user is None:
        abort(404)
    return _calendar_response(operations.private_feed(user), "kalender.ics", private=True)


# --- a person's calendar link and follows -------------------------------------------


def _private_links(token: str) -> dict:
    base = current_app.config["EVENTSYS_BASE_URL"]
    https = base + url_for("arshjul.private_feed", token=token)
    return {"https": https, "webcal": re.sub(r"^https?://", "webcal://", https)}


def _account_page(follow_form: FollowForm | None = None, status: int = 200):
    token = operations.calendar_token(current_user)
    if follow_form is None:
        follow_form = FollowForm(
            formdata=None, categories=[c.value for c in operations.follows_of(current_user)]
        )
    return render_template(
        "arshjul/account.html",
        links=_private_links(token),
        follow_form=follow_form,
        confirm_form=ConfirmForm(),
    ), status


@bp.route("/account/calendar")
@writes_database  # the link is made on the first visit
@login_required
def account():
    return _account_page()


@bp.route("/account/calendar/new-link", methods=["POST"])
@login_required
def new_link():
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    operations.renew_calendar_token(current_user)
    flash(_("You have a new calendar link. The old one no longer works."), "success")
    return redirect(url_for("arshjul.account"))


@bp.route("/account/calendar/follows", methods=["POST"])
@login_required
def follows():
    form = FollowForm()
    if not form.validate_on_submit():
        db.session.rollback()
        return _account_page(form, 422)
    chosen = operations.set_follows(current_user, form.categories.data or [])
    if chosen:
        flash(
            _(
                "Saved. You follow: %(names)s.",
                names=", ".join(category_label(c) for c in operations.CATEGORIES if c in chosen),
            ),
            "success",
        )
    else:
        flash(_("Saved. You follow no categories."), "success")
    return redirect(url_for("arshjul.account"))


@bp.route("/arshjul/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token):
    """The link in every reminder. It asks before it acts: mail scanners open links,
    and must not unsubscribe anybody by doing so."""
    found = operations.read_unsubscribe_token(token)
    if found is None:
        return render_template(
            "arshjul/unsubscribe.html",
            problem=_("The link is not valid. Check that you copied all of it."),
        ), 400
    user, category = found
    form = ConfirmForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        operations.unfollow(user, category)
        return render_template("arshjul/unsubscribe.html", done=True, category=category)
    return render_template(
        "arshjul/unsubscribe.html", category=category, email=user.email, form=form
    )


# --- organisers -----------------------------------------------------------------------


def problem_message(code: str, detail: str = "", column: str | None = None) -> str:
    """The user's language for each problem code of the cycle item operation; an empty
    field gets a message that names what to fill in ("Choose a month.")."""
    if code == "required" and column and f"missing_{column}" in MESSAGES.entries:
        return MESSAGES(f"missing_{column}")
    if code in MESSAGES.entries:  # not the common ones: e.g. "missing_field" of a rule
        return MESSAGES(code)
    # The custom rule's own checks: the technical detail is the useful part.
    return _("The rule is not valid: %(detail)s", detail=detail or code)


def _attach(form: CycleItemForm, error: operations.CycleItemError, *, only_new=False) -> None:
    """Put the operation's problems next to their fields (`only_new`: on fields that
    have no error of their own yet)."""
    for column, code, detail in error.problems:
        field = form.field_for(column) if column else None
        message = problem_message(code, detail, column)
        if field is None:
            form.form_errors.append(message)
        elif not (only_new and field.errors):
            field.errors = [*field.errors, message]


def _check_the_rest(form: CycleItemForm) -> None:
    """A form that failed its own checks still hears what else is missing (the month,
    the day), so that one round shows every problem."""
    if not form.is_submitted():
        return
    try:
        operations.check_item(form.values())
    except operations.CycleItemError as exc:
        _attach(form, exc, only_new=True)


def _status(form) -> int:
    return 422 if form.errors or form.form_errors else 200


def _item_or_404(item_id: int) -> CycleItem:
    item = db.session.get(CycleItem, item_id)
    if item is None or item.deleted_at is not None:
        abort(404)
    return item


@bp.route("/organiser/arshjul")
@role_required(Role.organiser)
def admin_index():
    items = operations.live_items()
    order = {category: i for i, category in enumerate(operations.CATEGORIES)}
    items.sort(key=lambda item: (order[item.category], item.title_nb.lower()))
    return render_template("arshjul/admin_index.html", items=items)


@bp.route("/organiser/arshjul/new", methods=["GET", "POST"])
@role_required(Role.organiser)
def create():
    form = CycleItemForm()
    if form.validate_on_submit():
        try:
            item = operations.create_item(form.values(), current_user)
        except operations.CycleItemError as exc:
            db.session.rollback()
            _attach(form, exc)
        else:
            flash(_("The item is added to the årshjul."), "success")
            return redirect(url_for("arshjul.edit", item_id=item.id))
    elif form.errors:
        _check_the_rest(form)
    return render_template("arshjul/form.html", form=form, item=None), _status(form)


@bp.route("/organiser/arshjul/<int:item_id>/edit", methods=["GET", "POST"])
@role_required(Role.organiser)
def edit(item_id):
    item = _item_or_404(item_id)
    form = CycleItemForm()
    if not form.is_submitted():
        form.load(item)
    if form.validate_on_submit():
        item = operations.lock_item(item_id)
        if item is None:
            abort(404)
        try:
            operations.update_item(item, form.values(), current_user)
        except operations.CycleItemError as exc:
            db.session.rollback()
            item = _item_or_404(item_id)
            _attach(form, exc)
        else:
            flash(_("The item is saved."), "success")
            return redirect(url_for("arshjul.edit", item_id=item.id))
    elif form.errors:
        _check_the_rest(form)
    return render_template("arshjul/form.html", form=form, item=item), _status(form)


@bp.route("/organiser/arshjul/<int:item_id>/delete", methods=["GET", "POST"])
@role_required(Role.organiser)
def delete(item_id):
    item = _item_or_404(item_id)
    form = ConfirmForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        locked = operations.lock_item(item_id)
        if locked is None:
            abort(404)
        operations.delete_item(locked, current_user)
        flash(_("“%(title)s” is deleted from the årshjul.", title=locked.title_nb), "success")
        return redirect(url_for("arshjul.admin_index"))
    return render_template("arshjul/delete.html", item=item, form=form)
