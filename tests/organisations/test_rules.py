"""The organisation-number check and the owner-staff rule, without an app."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eventsys.organisations import rules
from eventsys.organisations.rules import OrgFacts, Period, PersonFacts, Reason

# --- organisation numbers -------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("974767880", "974767880"),  # NTNU
        ("971 035 854", "971035854"),  # UiO, typed with spaces
        ("NO 874 789 542 MVA", "874789542"),  # UiB, as printed on invoices
        ("974.760.673", "974760673"),
    ],
)
def test_valid_org_numbers_are_accepted_as_typed(raw, expected):
    assert rules.validate_org_number(raw) == expected


@pytest.mark.parametrize(
    "raw, code",
    [
        ("974767881", "check_digit"),  # NTNU with the last digit wrong
        ("974767808", "check_digit"),  # two digits swapped
        ("97476788", "wrong_length"),
        ("9747678800", "wrong_length"),
        ("97476788O", "not_digits"),  # letter O for zero
        ("", "not_digits"),
        ("174767880", "wrong_start"),
    ],
)
def test_invalid_org_numbers_say_what_is_wrong(raw, code):
    with pytest.raises(rules.OrgNumberError) as info:
        rules.validate_org_number(raw)
    assert info.value.code == code


def test_a_number_whose_check_digit_would_be_10_does_not_exist():
    # Remainder 1 would need the check digit 10: Brønnøysund never issues such prefixes.
    prefix = next(
        f"9{n:07d}" for n in range(10_000_000) if rules.org_number_check_digit(f"9{n:07d}") is None
    )
    for last in "0123456789":
        assert not rules.is_valid_org_number(prefix + last)


eight_digits = st.from_regex(r"[89][0-9]{7}", fullmatch=True)


@given(eight_digits)
def test_appending_the_check_digit_gives_a_valid_number(prefix):
    digit = rules.org_number_check_digit(prefix)
    if digit is not None:
        assert rules.is_valid_org_number(prefix + str(digit))


@given(eight_digits, st.integers(min_value=1, max_value=7), st.integers(min_value=1, max_value=9))
def test_every_single_digit_typo_is_caught(prefix, position, delta):
    digit = rules.org_number_check_digit(prefix)
    if digit is None:
        return
    number = prefix + str(digit)
    typo = number[:position] + str((int(number[position]) + delta) % 10) + number[position + 1 :]
    assert not rules.is_valid_org_number(typo)


# --- domains ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "email_domain, org_domain, matches",
    [
        ("uib.no", "uib.no", True),
        ("student.uib.no", "uib.no", True),
        ("a.b.uib.no", "uib.no", True),
        ("fakeuib.no", "uib.no", False),
        ("uib.no.evil.com", "uib.no", False),
        ("uib.com", "uib.no", False),
    ],
)
def test_domain_matching_respects_label_boundaries(email_domain, org_domain, matches):
    assert rules.domain_matches(email_domain, org_domain) is matches


@pytest.mark.parametrize("raw", ["uib", "-uib.no", "uib..no", "ui b.no", "127.0.0.1", ""])
def test_malformed_domains_are_refused(raw):
    with pytest.raises(ValueError):
        rules.normalise_domain(raw)


def test_domains_are_normalised():
    assert rules.normalise_domain(" @Student.UiB.no. ") == "student.uib.no"


def test_default_period_is_two_calendar_years():
    assert rules.default_ownership_period(date(2026, 3, 1)) == (
        date(2026, 3, 1),
        date(2027, 12, 31),
    )


# --- owner staff ------------------------------------------------------------------------

UIB = OrgFacts(1, "UiB", ("uib.no",), (Period("owner", date(2025, 1, 1), date(2026, 12, 31)),))
UIS = OrgFacts(2, "UiS", ("uis.no",), (Period("observer", date(2025, 1, 1), date(2027, 12, 31)),))
BI = OrgFacts(3, "BI", ("bi.no",), ())
ORGS = [UIB, UIS, BI]
IN_PERIOD = date(2026, 5, 1)
AFTER_PERIOD = date(2027, 2, 1)


def person(email, verified=True, confirmed=None):
    return PersonFacts(email=email, email_verified=verified, confirmed_org_id=confirmed)


@pytest.mark.parametrize(
    "who, on, tier, reason",
    [
        (person("kari@uib.no"), IN_PERIOD, 1, Reason.verified_domain),
        (person("kari@student.uib.no"), IN_PERIOD, 1, Reason.verified_domain),
        (person("Kari@UIB.NO"), IN_PERIOD, 1, Reason.verified_domain),
        (person("kari@uib.no", verified=False), IN_PERIOD, 2, Reason.unverified_email),
        (person("kari@uib.no"), AFTER_PERIOD, 2, Reason.not_owner_on_date),
        (person("kari@uib.no"), date(2024, 12, 31), 2, Reason.not_owner_on_date),
        (person("lise@uis.no"), IN_PERIOD, 2, Reason.not_owner_on_date),  # observer
        (person("jonas@bi.no"), IN_PERIOD, 2, Reason.not_owner_on_date),  # no periods
        (person("kari@fakeuib.no"), IN_PERIOD, 2, Reason.unknown_domain),
        (person("sara@gmail.com"), IN_PERIOD, 2, Reason.unknown_domain),
        # An organiser's confirmation counts while the organisation contributes ...
        (person("sara@gmail.com", confirmed=1), IN_PERIOD, 1, Reason.confirmed),
        (person("sara@gmail.com", verified=False, confirmed=1), IN_PERIOD, 1, Reason.confirmed),
        # ... and not after, nor for an observer.
        (person("sara@gmail.com", confirmed=1), AFTER_PERIOD, 2, Reason.not_owner_on_date),
        (person("sara@gmail.com", confirmed=2), IN_PERIOD, 2, Reason.not_owner_on_date),
    ],
)
def test_owner_staff_rule(who, on, tier, reason):
    result = rules.affiliation(who, ORGS, on)
    assert (result.tier, result.reason) == (tier, reason)


def test_first_and_last_day_of_a_period_count():
    assert rules.affiliation(person("k@uib.no"), ORGS, date(2025, 1, 1)).tier == 1
    assert rules.affiliation(person("k@uib.no"), ORGS, date(2026, 12, 31)).tier == 1


def test_the_most_specific_domain_wins():
    hvl = OrgFacts(10, "HVL", ("hvl.no",), (Period("owner", date(2025, 1, 1), date(2027, 12, 31)),))
    sammen = OrgFacts(11, "Studentorg", ("stud.hvl.no",), ())
    result = rules.affiliation(person("ola@stud.hvl.no"), [hvl, sammen], IN_PERIOD)
    assert result.organisation == sammen and result.tier == 2


def test_an_owner_and_observer_period_on_the_same_day_counts_as_owner():
    org = OrgFacts(
        5,
        "X",
        ("x.no",),
        (
            Period("observer", date(2026, 1, 1), date(2026, 6, 30)),
            Period("owner", date(2026, 6, 1), date(2027, 12, 31)),
        ),
    )
    assert rules.affiliation(person("a@x.no"), [org], date(2026, 6, 15)).tier == 1
