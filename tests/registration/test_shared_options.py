"""The participant list's selects share their rendered options (SharedOptions): what
an organiser's browser gets must be exactly what wtforms' own Select renders, with
the right option selected in each row."""

import pytest
from wtforms import Form, SelectField
from wtforms.validators import DataRequired
from wtforms.widgets import Select

from eventsys.registration.forms import SharedOptions


class Row(Form):
    before = SelectField("Flytt foran", validators=[DataRequired()])
    organisation = SelectField(
        "Eierorganisasjon", coerce=lambda v: None if v in (None, "", "None") else int(v)
    )


CHOICES = [("front", "Først"), ("7", "1. Kari <kari@uib.no>"), ("9", "2. Ola & Co")]
OWNERS = [("", "— velg —"), (3, "Universitetet i Bergen"), (5, 'NTNU "Trondheim"')]


@pytest.mark.parametrize(
    "data",
    [{}, {"before": "9", "organisation": 5}, {"before": "front", "organisation": None}],
)
def test_renders_what_wtforms_renders(data):
    form = Row(data=data)
    form.before.choices = CHOICES
    form.organisation.choices = OWNERS
    for field in (form.before, form.organisation):
        assert SharedOptions()(field) == Select()(field)


def test_one_widget_for_many_rows_keeps_each_rows_choice():
    shared = SharedOptions()
    rendered = []
    for chosen in ("7", "9", None, "7"):
        form = Row(data={"before": chosen} if chosen else {})
        form.before.choices = CHOICES
        rendered.append(shared(form.before))
        assert rendered[-1] == Select()(form.before)
    assert '<option selected value="9">' in rendered[1]
    assert "selected" not in rendered[2]
    assert "&lt;kari@uib.no&gt;" in rendered[0] and "Ola &amp; Co" in rendered[1]
