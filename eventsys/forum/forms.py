from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from eventsys.forum.operations import MAX_BODY, MAX_TITLE

BODY_HINT = _l("Markdown: **bold**, *italic*, [link](https://…), lists with -, > quote.")


class ThreadForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=MAX_TITLE)])
    body = TextAreaField(
        _l("Post"), validators=[DataRequired(), Length(max=MAX_BODY)], description=BODY_HINT
    )


class PostForm(FlaskForm):
    body = TextAreaField(
        _l("Your reply"), validators=[DataRequired(), Length(max=MAX_BODY)], description=BODY_HINT
    )
    quote = HiddenField()


class EditForm(FlaskForm):
    body = TextAreaField(
        _l("Post"), validators=[DataRequired(), Length(max=MAX_BODY)], description=BODY_HINT
    )


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[Length(max=2000)])


class ReportForm(FlaskForm):
    reason = TextAreaField(
        _l("What is wrong with this post?"), validators=[DataRequired(), Length(max=2000)]
    )


def mode_choices():
    return [
        ("immediate", _l("E-mail for every new post")),
        ("daily", _l("A daily digest")),
        ("weekly", _l("A weekly digest")),
    ]


class FollowForm(FlaskForm):
    mode = SelectField(_l("How do you want to hear about new posts?"), choices=mode_choices())
