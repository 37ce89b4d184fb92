from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from eventsys.validators import SingleLine

MIN_PASSWORD = 10


def _email_field(label):
    return EmailField(
        label,
        validators=[
            DataRequired(message=_l("Enter your e-mail address.")),
            Email(
                message=_l("Enter a valid e-mail address, like navn@uib.no."),
                check_deliverability=False,
            ),
            Length(max=320),
        ],
        render_kw={"autocomplete": "email"},
    )


def _new_password(label):
    return PasswordField(
        label,
        validators=[
            DataRequired(message=_l("Choose a password.")),
            Length(
                min=MIN_PASSWORD,
                max=200,
                message=_l("The password must have at least %(n)d characters.", n=MIN_PASSWORD),
            ),
        ],
        # The rule is shown beside the field from the start (aria-describedby), not only
        # in the error after a too-short try.
        description=_l("At least %(n)d characters.", n=MIN_PASSWORD),
        render_kw={"autocomplete": "new-password"},
    )


class SignupForm(FlaskForm):
    name = StringField(
        _l("Full name"),
        validators=[SingleLine(), DataRequired(message=_l("Enter your name.")), Length(max=200)],
        render_kw={"autocomplete": "name"},
    )
    email = _email_field(_l("E-mail address"))
    password = _new_password(_l("Password"))


class LoginForm(FlaskForm):
    email = _email_field(_l("E-mail address"))
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(message=_l("Enter your password."))],
        render_kw={"autocomplete": "current-password"},
    )


class ForgotPasswordForm(FlaskForm):
    email = _email_field(_l("E-mail address"))


class ResetPasswordForm(FlaskForm):
    password = _new_password(_l("New password"))
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[EqualTo("password", message=_l("The two passwords are not the same."))],
        render_kw={"autocomplete": "new-password"},
    )


class ProfileForm(FlaskForm):
    name = StringField(
        _l("Full name"),
        validators=[SingleLine(), DataRequired(message=_l("Enter your name.")), Length(max=200)],
        render_kw={"autocomplete": "name"},
    )
    locale = SelectField(
        _l("Language for pages and e-mails"),
        choices=[("nb", "Norsk bokmål"), ("en", "English")],
    )


def _current_password():
    return PasswordField(
        _l("Current password"),
        validators=[DataRequired(message=_l("Enter your current password."))],
        render_kw={"autocomplete": "current-password"},
    )


class ChangePasswordForm(FlaskForm):
    current = _current_password()
    password = _new_password(_l("New password"))


class ChangeEmailForm(FlaskForm):
    email = _email_field(_l("New e-mail address"))
    # Someone at an unattended, logged-in computer must not take the account over.
    current = _current_password()
