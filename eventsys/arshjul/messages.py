"""The messages of the årshjul item rules' problem codes."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from eventsys.messages import COMMON, Catalogue

MESSAGES = Catalogue(
    {
        "required": _l("Fill in this field."),
        "invalid_choice": _l("Choose one of the options."),
        "missing_title": _l("Enter a Norwegian title."),
        "bad_link": _l("The link must start with https://."),
        "bad_year": _l("Enter a year from 1900 to 2200."),
        "reminder_minutes_all_day": _l(
            "An all-day item is reminded of in whole days; leave the minutes empty."
        ),
        "bad_month": _l("Choose a month."),
        "bad_day": _l("This day does not exist in the month chosen."),
        "feb_29_period": _l(
            "A period cannot start or end on 29 February. Use 28 February or 1 March."
        ),
        "bad_weekday": _l("Choose a weekday."),
        "bad_n": _l("Choose first, second, third, fourth or last."),
        "bad_dtstart": _l("Enter the date the rule starts."),
        "timed_period": _l("A period is always all-day."),
        "missing_start_time": _l("Enter the time it starts, or tick “All day”."),
        "end_or_duration": _l("Enter the time it ends."),
        "end_before_start": _l("The end must be after the start, on the same day."),
        "bad_reminder": _l("The reminder must come before the item."),
        "years_with_rrule": _l(
            "A custom rule sets its own start and end (the start date and COUNT or UNTIL); "
            "leave the years empty."
        ),
        "years_reversed": _l("The last year cannot be before the first year."),
        # A field the chosen recurrence or time needs is empty ("required", by column).
        "missing_day": _l("Enter the day of the month."),
        "missing_month": _l("Choose a month."),
        "missing_end_day": _l("Enter the day the period ends."),
        "missing_end_month": _l("Choose the month the period ends."),
        "missing_weekday": _l("Choose a weekday."),
        "missing_nth": _l("Choose first, second, third, fourth or last."),
        "missing_rrule": _l("Enter the rule, e.g. FREQ=MONTHLY;BYDAY=1TU."),
        "missing_rrule_start": _l("Enter the date the rule starts."),
        "missing_end_time": _l("Enter the time it ends."),
        "no_occurrences": _l("The item would never take place. Check the dates and years."),
    },
    parent=COMMON,
)
