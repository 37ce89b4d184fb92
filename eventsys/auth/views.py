from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from eventsys.auth import operations, tokens
from eventsys.auth.forms import (
    ChangeEmailForm,
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    ProfileForm,
    ResetPasswordForm,
    SignupForm,
)
from eventsys.auth.models import Role
from eventsys.database import writes_database

bp = Blueprint("auth", __name__)

TOKEN_MESSAGES = {
    "expired": lambda: _("The link has expired. Ask for a new one below."),
    "used": lambda: _("The link has already been used."),
    "invalid": lambda: _("The link is not valid. Check that you copied all of it."),
}


def _landing(user) -> str:
    """Staff land on their dashboard, participants on their page."""
    if user is not None and user.has_role(Role.organiser, Role.finance):
        return url_for("dashboard.index")
    return url_for("auth.account")


def _safe_next(target: str | None, default: str | None = None) -> str:
    """Only same-site paths, never //evil.example or https://…"""
    if target:
        parts = urlsplit(target)
        if (
            not parts.scheme
            and not parts.netloc
            and target.startswith("/")
            and not target.startswith("//")
        ):
            return target
    return default or url_for("auth.account")


def _log_in(user) -> None:
    # A fresh session at login: nothing planted before it (session fixation) survives.
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    operations.start_session(user)
    login_user(user)


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("auth.account"))
    form = SignupForm()
    if form.validate_on_submit():
        new_id = operations.sign_up(
            form.email.data, form.password.data, form.name.data, session.get("lang", "nb")
        )
        if new_id is not None:
            # This browser made the account (it knows the password): the verification
            # link opened here logs the person in (see verify_email).
            session["signed_up"] = new_id
            if request.args.get("next"):
                session["after_verify"] = _safe_next(request.args.get("next"))
        return redirect(url_for("auth.check_email"))
    return render_template("auth/signup.html", form=form), 422 if form.errors else 200


@bp.route("/signup/check-email")
def check_email():
    return render_template("auth/check_email.html")


@bp.route("/verify/<token>")
@writes_database  # a write reached by a link
def verify_email(token):
    try:
        user = operations.verify_email(token)
    except tokens.TokenError as exc:
        return render_template("auth/token_problem.html", message=TOKEN_MESSAGES[exc.code]()), 400
    if current_user.is_authenticated and current_user.id == user.id:
        flash(_("Thank you, your e-mail address is verified."), "success")
        return redirect(url_for("auth.account"))
    if session.get("signed_up") == user.id and not current_user.is_authenticated:
        # The link (single-use, expiring) proves the mailbox, and this browser made the
        # account: log in. A link opened elsewhere (another device, or an account
        # someone else made with this address) verifies but logs nobody in.
        after = session.get("after_verify") or ""
        _log_in(user)
        flash(_("Thank you, your e-mail address is verified and you are logged in."), "success")
        return redirect(_safe_next(after, _landing(user)))
    flash(_("Thank you, your e-mail address is verified. Log in to continue."), "success")
    return redirect(url_for("auth.login"))


@bp.route("/verify/resend", methods=["POST"])
@login_required
def resend_verification():
    if not current_user.email_verified:
        operations.send_verification(current_user)
    flash(_("We have sent a new link to %(email)s.", email=current_user.email), "success")
    return redirect(url_for("auth.account"))


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("auth.account"))
    form = LoginForm()
    if form.validate_on_submit():
        user = operations.find_user(form.email.data)
        if operations.password_matches(user, form.password.data):
            _log_in(user)
            return redirect(_safe_next(request.args.get("next"), _landing(user)))
        form.password.errors.append(_("Wrong e-mail address or password."))
    status = 422 if form.errors else 200
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        operations.end_session(current_user.session_secret)
    logout_user()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("You are logged out."), "success")
    return redirect(url_for("public.index"))


@bp.route("/forgot-password", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        operations.request_password_reset(form.email.data)
        return render_template("auth/reset_sent.html", email=form.email.data)
    return render_template("auth/forgot_password.html", form=form), 422 if form.errors else 200


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token):
    try:
        operations.check_reset_token(token)
    except tokens.TokenError as exc:
        return render_template(
            "auth/token_problem.html", message=TOKEN_MESSAGES[exc.code](), reset=True
        ), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        user = operations.reset_password(token, form.password.data)
        _log_in(user)
        flash(_("Your password is changed."), "success")
        return redirect(url_for("auth.account"))
    return render_template("auth/reset_password.html", form=form), 422 if form.errors else 200


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    profile = ProfileForm(obj=current_user, prefix="profile")
    if profile.validate_on_submit():
        current_user.name = profile.name.data.strip()
        current_user.locale = profile.locale.data
        session["lang"] = profile.locale.data
        flash(_("Your profile is saved."), "success")
        return redirect(url_for("auth.account"))
    return _render_account(profile=profile)


def _render_account(status=None, **forms):
    forms.setdefault("profile", ProfileForm(obj=current_user, prefix="profile"))
    forms.setdefault("password_form", ChangePasswordForm(prefix="pw"))
    forms.setdefault("email_form", ChangeEmailForm(prefix="email"))
    has_errors = any(f.errors for f in forms.values())
    return render_template("auth/account.html", **forms), status or (422 if has_errors else 200)


@bp.route("/account/password", methods=["POST"])
@login_required
def change_password():
    form = ChangePasswordForm(prefix="pw")
    if form.validate_on_submit():
        if operations.password_matches(current_user, form.current.data):
            operations.set_password(current_user, form.password.data)
            login_user(current_user._get_current_object())  # keep this session; others end
            flash(_("Your password is changed."), "success")
            return redirect(url_for("auth.account"))
        form.current.errors.append(_("The current password is wrong."))
    return _render_account(password_form=form)


@bp.route("/account/email", methods=["POST"])
@login_required
def change_email():
    form = ChangeEmailForm(prefix="email")
    if form.validate_on_submit():
        if not operations.password_matches(current_user, form.current.data):
            form.current.errors.append(_("The current password is wrong."))
            return _render_account(email_form=form)
        operations.request_email_change(current_user, form.email.data)
        flash(
            _(
                "We have sent a link to %(email)s. Your address changes when you follow it.",
                email=form.email.data,
            ),
            "success",
        )
        return redirect(url_for("auth.account"))
    return _render_account(email_form=form)


@bp.route("/account/email/<token>")
@writes_database
def confirm_email_change(token):
    try:
        operations.confirm_email_change(token)
    except tokens.TokenError as exc:
        return render_template("auth/token_problem.html", message=TOKEN_MESSAGES[exc.code]()), 400
    flash(_("Your e-mail address is changed and verified."), "success")
    return redirect(url_for("auth.account"))


@bp.route("/language", methods=["POST"])
def set_language():
    lang = request.form.get("lang")
    if lang in ("nb", "en"):
        session["lang"] = lang
        if current_user.is_authenticated:
            current_user.locale = lang
    return redirect(_safe_next(request.form.get("next")))


@bp.route("/logout", methods=["GET"])
def logout_confirm():
    """A link to /logout asks first: logging out is a POST, so no other site can do it."""
    if not current_user.is_authenticated:
        return redirect(url_for("public.index"))
    return render_template("auth/logout.html")
