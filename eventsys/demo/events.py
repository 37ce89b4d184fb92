"""The demo's network and events: owners in every staff band, student welfare
organisations, observers and non-owners, users of every role, and events in every state.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
from dateutil.rrule import MONTHLY, TH, rrule
from sqlalchemy import select

from eventsys.auth import operations as accounts
from eventsys.auth.models import Role
from eventsys.extensions import db
from eventsys.organisations import operations as orgs
from eventsys.organisations.models import Organisation
from eventsys.registration import operations as registration
from eventsys.registration.models import Registration
from eventsys.registration.rules import State

DEMO_PASSWORD = "demo-passord-2026"
OSLO = ZoneInfo("Europe/Oslo")
NORWEGIAN_HOLIDAYS = holidays.Norway(years=range(2024, 2032))

# name, org number, kind, domains, staff band (None for welfare organisations)
OWNERS = [
    ("Universitetet i Oslo", "971035854", "institution", ["uio.no"], "2000+"),
    ("Universitetet i Bergen", "874789542", "institution", ["uib.no"], "2000+"),
    (
        "Norges teknisk-naturvitenskapelige universitet",
        "974767880",
        "institution",
        ["ntnu.no"],
        "2000+",
    ),
    ("UiT Norges arktiske universitet", "970422528", "institution", ["uit.no"], "2000+"),
    ("OsloMet – storbyuniversitetet", "997058720", "institution", ["oslomet.no"], "1001-2000"),
    ("Universitetet i Agder", "970546200", "institution", ["uia.no"], "1001-2000"),
    ("Høgskulen på Vestlandet", "917641404", "institution", ["hvl.no"], "1001-2000"),
    ("Nord universitet", "971582820", "institution", ["nord.no"], "501-1000"),
    (
        "Norges miljø- og biovitenskapelige universitet",
        "969159570",
        "institution",
        ["nmbu.no"],
        "501-1000",
    ),
    ("Høgskolen i Molde", "968364677", "institution", ["himolde.no"], "0-500"),
    ("Høgskulen i Volda", "971599138", "institution", ["hivolda.no"], "0-500"),
    ("Studentsamskipnaden i Oslo (SiO)", "961196981", "welfare_org", ["sio.no"], None),
    ("Sammen – Studentsamskipnaden på Vestlandet", "971307285", "welfare_org", ["sammen.no"], None),
    ("Studentsamskipnaden i Trondheim (Sit)", "974760673", "welfare_org", ["sit.no"], None),
]

OBSERVERS = [
    ("Universitetet i Stavanger", "971564679", "institution", ["uis.no"]),
    ("VID vitenskapelige høgskole", "983971636", "institution", ["vid.no"]),
]

OTHERS = [
    ("Handelshøyskolen BI", "919479140", "other", ["bi.no"]),
]

USERS = [
    ("admin@kompetansenettverk.no", "Ingrid Sekretariat", Role.admin),
    ("arrangement@kompetansenettverk.no", "Ola Nordmann", Role.organiser),
    ("okonomi@kompetansenettverk.no", "Kari Regnskap", Role.finance),
    ("kari.hansen@uib.no", "Kari Hansen", Role.participant),
    ("per.olsen@student.ntnu.no", "Per Olsen", Role.participant),
    ("lise.berg@uis.no", "Lise Berg", Role.participant),
    ("jonas.lie@bi.no", "Jonas Lie", Role.participant),
    ("sara.ahmed@gmail.com", "Sara Ahmed", Role.participant),
]


def load_network() -> tuple[dict, list[str]]:
    """Organisations, ownerships and one user of every role (flushes)."""
    lines = []
    # Høgskulen i Volda did not renew after the binding period 2025–2026.
    for name, number, kind, domains, band in OWNERS:
        org = orgs.create_organisation(name, kind, number, domains)
        orgs.add_ownership(org, "owner", date(2025, 1, 1), date(2026, 12, 31), band)
        if "hivolda" not in domains[0]:
            orgs.add_ownership(org, "owner", date(2027, 1, 1), None, band)
    for name, number, kind, domains in OBSERVERS:
        org = orgs.create_organisation(name, kind, number, domains)
        orgs.add_ownership(org, "observer", date(2025, 1, 1), date(2027, 12, 31), None)
    for name, number, kind, domains in OTHERS:
        orgs.create_organisation(name, kind, number, domains)
    lines.append(
        f"organisations: {len(OWNERS)} owners, {len(OBSERVERS)} observers, {len(OTHERS)} other"
    )

    users = {}
    for email, name, role in USERS:
        users[email] = accounts.create_user(
            email, DEMO_PASSWORD, name=name, role=role, verified=True
        )
        lines.append(f"user {email} ({role.value}) password {DEMO_PASSWORD}")
    return users, lines


# Participants without accounts, registered by the secretariat on their behalf.
GUESTS = [
    ("Marte Solberg", "marte.solberg@uib.no"),
    ("Eirik Nilsen", "eirik.nilsen@ntnu.no"),
    ("Ingrid Johansen", "ingrid.johansen@uit.no"),
    ("Sindre Bakke", "sindre.bakke@oslomet.no"),
    ("Nora Haugen", "nora.haugen@uia.no"),
    ("Henrik Dahl", "henrik.dahl@hvl.no"),
    ("Sofie Lunde", "sofie.lunde@sio.no"),
    ("Magnus Strand", "magnus.strand@sammen.no"),
    ("Thea Moen", "thea.moen@nord.no"),
    ("Jakob Berg", "jakob.berg@himolde.no"),
    ("Emma Lie", "emma.lie@uis.no"),
    ("Oskar Vik", "oskar.vik@vid.no"),
    ("Ida Knutsen", "ida.knutsen@bi.no"),
    ("Mathias Hagen", "mathias.hagen@gmail.com"),
    ("Amalie Eide", "amalie.eide@nmbu.no"),
    ("Kristian Ruud", "kristian.ruud@sit.no"),
    ("Julie Fossum", "julie.fossum@ntnu.no"),
    ("Andreas Holm", "andreas.holm@outlook.com"),
    ("Vilde Aas", "vilde.aas@uio.no"),
    ("Sander Lien", "sander.lien@hivolda.no"),
    ("Hanna Tveit", "hanna.tveit@usn.no"),
    ("Elias Myhre", "elias.myhre@uib.no"),
    ("Frida Sæther", "frida.saether@oslomet.no"),
    ("Tobias Brekke", "tobias.brekke@gmail.com"),
]


def _at(days: float, hour: int = 9, minute: int = 0) -> datetime:
    """A time `days` from today at hour:minute Oslo time (as UTC)."""
    day = (datetime.now(OSLO) + timedelta(days=days)).date()
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=OSLO).astimezone(UTC)


def _workday(days: int, length: int = 1) -> int:
    """The first offset from today, at or after `days`, that starts `length` working days
    in a row in Norway: seminars are not held on weekends or public holidays."""
    today = datetime.now(OSLO).date()
    offset = days
    while not all(_is_workday(today + timedelta(days=offset + n)) for n in range(length)):
        offset += 1 if days >= 0 else -1
    return offset


def _is_workday(day: date) -> bool:
    # Christmas week to New Year (romjul) is holiday at every institution.
    romjul = day.month == 12 and day.day >= 22
    return day.weekday() < 5 and day not in NORWEGIAN_HOLIDAYS and not romjul


def _conference_day() -> int:
    """Days until the national conference: the third Thursday of November, the date the
    årshjul's conference item names (this year's if still ahead, else next year's)."""
    today = datetime.now(OSLO).date()
    first = rrule(MONTHLY, bymonth=11, byweekday=TH(3), dtstart=today, count=1)[0].date()
    return (first - today).days


def _event(organiser, status="published", **values):
    from eventsys.events import operations as events

    values.setdefault("kind", "seminar")
    values.setdefault("format", "on_site")
    values.setdefault("language", "nb")
    return events.create_event(values, organiser, status=status)


def _register_guests(event, guests, organiser, when):
    for offset, (name, email) in enumerate(guests):
        registration.register(
            event.id,
            registration.Person(email=email, name=name, vouched=True),
            organiser,
            now=when + timedelta(minutes=7 * offset),
            dietary_needs="Vegetar" if offset % 5 == 0 else "",
            accessibility_needs="Trenger teleslynge" if offset == 3 else "",
        )


def load_events(users) -> list[str]:
    """Events in every state, relative to today: open, in the priority window, full
    with a waiting list, not yet open, past, cancelled and a draft."""
    organiser = users["arrangement@kompetansenettverk.no"]
    uib = db.session.scalar(
        select(Organisation).where(Organisation.name == "Universitetet i Bergen")
    )
    oslomet = db.session.scalar(select(Organisation).where(Organisation.name.like("OsloMet%")))
    sammen = db.session.scalar(select(Organisation).where(Organisation.name.like("Sammen%")))
    now = datetime.now(UTC)

    day = _workday(24)
    open_seminar = _event(
        organiser,
        title="Trepartssamarbeid i praksis: lærested, samskipnad og studenter",
        description=(
            "Hvordan skaper vi en møtekultur der utdanningsinstitusjon, studentsamskipnad og "
            "studenter alltid sitter rundt samme bord? Erfaringer fra Bergen og Tromsø, og "
            "gruppearbeid om operative strategier og møteplaner for samarbeid."
        ),
        venue="Universitetet i Bergen, Universitetsaulaen, Muséplass 3, Bergen",
        starts_at=_at(day, 9),
        ends_at=_at(day, 15, 30),
        capacity=30,
        registration_opens_at=_at(day - 34, 9),
        registration_closes_at=_at(day - 3, 23, 59),
        cancellation_deadline=_at(day - 7, 23, 59),
        fee=75000,
        host_organisation_id=uib.id,
    )
    _register_guests(open_seminar, GUESTS[:9], organiser, now - timedelta(days=9))
    for email in ("jonas.lie@bi.no", "kari.hansen@uib.no"):
        user = users[email]
        registration.register(
            open_seminar.id,
            registration.Person(email=email, name=user.name, user=user),
            user,
            now=now - timedelta(days=2),
        )

    day = _workday(38)
    priority = _event(
        organiser,
        kind="workshop",
        title="Studentengasjement etter pandemien",
        description=(
            "Arbeidsseminar om hvordan vi skaper og styrker studentengasjement når studentene "
            "har lite tid, presset økonomi og helst vil delta på enkeltstående arrangementer."
        ),
        venue="OsloMet, Pilestredet 46, Oslo",
        starts_at=_at(day, 10),
        ends_at=_at(day, 16),
        capacity=25,
        registration_opens_at=_at(day - 41, 9),
        priority_deadline=_at(day - 32, 12),
        registration_closes_at=_at(day - 3, 23, 59),
        cancellation_deadline=_at(day - 8, 23, 59),
        fee=95000,
        host_organisation_id=oslomet.id,
    )
    _register_guests(priority, GUESTS[9:17], organiser, now - timedelta(days=2))

    day = _workday(12)
    full = _event(
        organiser,
        format="hybrid",
        title="Studenters økonomi, deltidsjobb og gjennomføring",
        description=(
            "Hva betyr økonomisk press og deltidsjobb for gjennomføringen? Innlegg fra "
            "Sammen og HVL, og en samtale om hva lærestedene kan gjøre."
        ),
        venue="Sammen, Parkveien 1, Bergen",
        online_url="https://nettverket.example/sendinger/okonomi",
        starts_at=_at(day, 12),
        ends_at=_at(day, 15),
        capacity=20,
        registration_opens_at=_at(day - 32, 9),
        registration_closes_at=_at(day - 1, 12),
        cancellation_deadline=_at(day - 7, 23, 59),
        fee=50000,
        host_organisation_id=sammen.id,
    )
    _register_guests(full, GUESTS[:24], organiser, now - timedelta(days=19))
    first_confirmed = db.session.scalar(
        select(Registration)
        .where(Registration.event_id == full.id, Registration.state == State.CONFIRMED)
        .order_by(Registration.id)
    )
    registration.cancel(
        first_confirmed.id, organiser, now=now - timedelta(hours=3)
    )  # an offer goes out

    day = _conference_day()
    conference = _at(day).date()
    _event(
        organiser,
        kind="conference",
        format="hybrid",
        title=f"Nasjonal konferanse om studenters suksess {conference.year}",
        description=(
            "Den årlige nasjonale konferansen, med norsk som arbeidsspråk: læringsmiljø, "
            "gjennomføring, trivsel og psykisk helse. Påmeldingen åpner snart."
        ),
        venue="Clarion Hotel Trondheim",
        online_url="https://nettverket.example/konferanse",
        starts_at=_at(day, 9),
        ends_at=_at(day + 1, 15),
        capacity=220,
        # The årshjul's deadline item: registration opens on 20 August.
        registration_opens_at=_at(day - (conference - date(conference.year, 8, 20)).days, 9),
        priority_deadline=_at(day - 60, 12),
        registration_closes_at=_at(day - 10, 23, 59),
        cancellation_deadline=_at(day - 30, 23, 59),
        fee=250000,
    )

    day = _workday(45)
    _event(
        organiser,
        kind="course",
        format="online",
        title="Kurs: Universell utforming i undervisningen",
        description="Praktisk nettkurs om universell utforming av undervisning og digitale læringsressurser.",
        online_url="https://nettverket.example/kurs/uu",
        starts_at=_at(day, 13),
        ends_at=_at(day, 15),
        capacity=40,
        registration_opens_at=_at(day - 46, 9),
        registration_closes_at=_at(day - 1, 12),
        fee=0,
    )

    day = _workday(-60)
    past = _event(
        organiser,
        title="Ensomhet blant studenter – hva virker?",
        description="Seminar om SHoT-funnene om ensomhet og tiltak som har virket ved lærestedene.",
        venue="UiT Norges arktiske universitet, Tromsø",
        starts_at=_at(day, 10),
        ends_at=_at(day, 15),
        capacity=30,
        registration_opens_at=_at(day - 40, 9),
        registration_closes_at=_at(day - 1, 12),
        fee=0,
    )
    _register_guests(past, GUESTS[:12], organiser, now - timedelta(days=90))
    db.session.flush()
    # Attendance as the organiser recorded it after the event: one did not come.
    confirmed = db.session.scalars(
        select(Registration.id)
        .where(Registration.event_id == past.id, Registration.state == State.CONFIRMED)
        .order_by(Registration.id)
    ).all()
    for index, reg_id in enumerate(confirmed):
        registration.mark_attendance(reg_id, index != 4, organiser, now=_at(day, 16))

    day = _workday(30)
    cancelled = _event(
        organiser,
        title="Oppmøte og frafall – erfaringsdeling",
        venue="Nord universitet, Bodø",
        starts_at=_at(day, 10),
        ends_at=_at(day, 14),
        capacity=25,
        registration_opens_at=_at(day - 35, 9),
        registration_closes_at=_at(day - 2, 12),
        fee=60000,
    )
    registration.cancel_event(cancelled.id, organiser)

    day = _workday(70)
    _event(
        organiser,
        status="draft",
        kind="meeting",
        title="Styringsgruppemøte, våren",
        venue="Teams",
        starts_at=_at(day, 10),
        ends_at=_at(day, 12),
        capacity=12,
        registration_opens_at=_at(day - 70, 8),
        registration_closes_at=_at(day - 1, 12),
        fee=0,
    )
    # Fees for seats taken long ago are settled by now: by invoice to the employer,
    # paid (the real flow, so the demo has invoices with KID for finance to look at).
    from eventsys.payments import operations as payments
    from eventsys.payments.models import Payment, PaymentStatus

    db.session.flush()
    finance = users["okonomi@kompetansenettverk.no"]
    old = db.session.scalars(
        select(Payment).where(
            Payment.status == PaymentStatus.due, Payment.deadline < now + timedelta(days=2)
        )
    ).all()
    # Each fee is invoiced to the participant's employer (a tier-2 organisation).
    employers = db.session.scalars(
        select(Organisation).where(Organisation.name.in_([o[0] for o in OBSERVERS + OTHERS]))
    ).all()
    by_domain = {domain: org for org in employers for domain in org.domain_names}
    for index, payment in enumerate(old):
        domain = db.session.get(Registration, payment.registration_id).email.split("@")[1]
        employer = by_domain.get(domain) or employers[index % len(employers)]
        invoice = payments.choose_invoice(
            payment.registration_id,
            employer.org_number,
            f"Prosjekt {4711 + index}",
            f"faktura@{employer.domains[0].domain}",
            "",
            organisation_name=employer.name,
            now=payment.created_at,
        )
        if index % 3:  # most have been paid; the rest are still open
            payments.mark_invoice_paid(invoice.id, finance, now=now)
    return [
        "events: open, in the priority window, full with a waiting list and an offer, "
        "not yet open, free online course, past (attended), cancelled, draft"
    ]
