"""The network's årshjul as demo data: the work that comes back every year."""

from __future__ import annotations

from datetime import date, time

from eventsys.arshjul import operations
from eventsys.arshjul.rules import Audience, Category, RecurrenceKind


def _item(title_nb, title_en, category, recurrence, description="", **extra) -> dict:
    values = {
        "title_nb": title_nb,
        "title_en": title_en,
        "description": description,
        "category": category,
        "audience": Audience.PUBLIC,
        "link": "",
        "all_day": True,
        "recurrence_kind": recurrence[0],
        **recurrence[1],
    }
    values.update(extra)
    return values


def _fixed(month, day):
    return RecurrenceKind.FIXED_DATE, {"month": month, "day": day}


def _nth(n, weekday, month):
    return RecurrenceKind.NTH_WEEKDAY, {"nth": n, "weekday": weekday, "month": month}


def _period(month, day, end_month, end_day):
    return RecurrenceKind.PERIOD, {
        "month": month,
        "day": day,
        "end_month": end_month,
        "end_day": end_day,
    }


MON, TUE, WED, THU, FRI = range(5)

CYCLE = [
    _item(
        "Styringsgruppemøte (vår)",
        "Steering group meeting (spring)",
        Category.MEETING,
        _nth(2, TUE, 3),
        "Styringsgruppen behandler årsrapport, regnskap og handlingsplan.",
        all_day=False,
        start_time=time(10, 0),
        end_time=time(14, 0),
        reminder_days=14,
        audience=Audience.OWNERS,
    ),
    _item(
        "Styringsgruppemøte (høst)",
        "Steering group meeting (autumn)",
        Category.MEETING,
        _nth(2, TUE, 10),
        "Styringsgruppen vedtar budsjett og aktivitetsplan for neste år.",
        all_day=False,
        start_time=time(10, 0),
        end_time=time(14, 0),
        reminder_days=14,
        audience=Audience.OWNERS,
    ),
    _item(
        "Sakspapirer til styringsgruppen sendes ut",
        "Papers for the steering group are sent out",
        Category.DEADLINE,
        _nth(4, TUE, 2),
        "Sekretariatet sender sakspapirer to uker før vårmøtet.",
        audience=Audience.SECRETARIAT,
        reminder_days=7,
    ),
    _item(
        "Ressurspersonsamling",
        "Gathering of the resource persons",
        Category.SEMINAR,
        _nth(1, WED, 6),
        "Årlig samling for eiernes ressurspersoner: erfaringsdeling og planlegging av "
        "lokale aktiviteter.",
        all_day=False,
        start_time=time(10, 0),
        end_time=time(16, 0),
        reminder_days=30,
    ),
    _item(
        "Nasjonal konferanse om studenters suksess",
        "National conference on student success",
        Category.CONFERENCE,
        _nth(3, THU, 11),
        "Nettverkets årlige konferanse, på norsk, for ansatte i universiteter, høyskoler "
        "og studentsamskipnader.",
        reminder_days=60,
        link="https://www.example.no/konferanse",
    ),
    _item(
        "Påmelding til nasjonal konferanse åpner",
        "Registration for the national conference opens",
        Category.DEADLINE,
        _fixed(8, 20),
        reminder_days=3,
    ),
    _item(
        "Nyhetsbrev før vårsemesteret",
        "Newsletter before the spring semester",
        Category.NEWSLETTER,
        _fixed(1, 5),
        "Aktiviteter og frister for våren.",
        reminder_days=10,
        audience=Audience.SECRETARIAT,
    ),
    _item(
        "Nyhetsbrev før høstsemesteret",
        "Newsletter before the autumn semester",
        Category.NEWSLETTER,
        _fixed(8, 5),
        "Aktiviteter og frister for høsten.",
        reminder_days=10,
        audience=Audience.SECRETARIAT,
    ),
    _item(
        "Nyhetsbrev: nettverket i vår",
        "Newsletter: the network this spring",
        Category.NEWSLETTER,
        _fixed(1, 10),
    ),
    _item(
        "Nyhetsbrev: nettverket i høst",
        "Newsletter: the network this autumn",
        Category.NEWSLETTER,
        _fixed(8, 12),
    ),
    _item(
        "Forberedelse til studiestart",
        "Preparing for the start of studies",
        Category.ACTIVITY,
        _period(4, 15, 6, 15),
        "Institusjonene og samskipnadene planlegger mottak av nye studenter: fadderordning, "
        "informasjon og tilrettelegging.",
        reminder_days=14,
    ),
    _item(
        "Studiestart",
        "Start of studies",
        Category.ACTIVITY,
        _period(8, 10, 8, 25),
    ),
    _item(
        "SHoT-undersøkelsen – Studentenes helse- og trivselsundersøkelse",
        "SHoT – the students' health and well-being survey",
        Category.ACTIVITY,
        _period(2, 1, 3, 31),
        "Nasjonal undersøkelse blant studenter hvert fjerde år. Nettverket følger opp "
        "resultatene med eierne.",
        link="https://shot2026.no",
    ),
    _item(
        "Oppfølging av SHoT-resultatene",
        "Follow-up of the SHoT results",
        Category.SEMINAR,
        _nth(3, WED, 9),
        "Seminar om hva institusjonene gjør med resultatene fra SHoT.",
        all_day=False,
        start_time=time(9, 0),
        end_time=time(12, 0),
        reminder_days=21,
    ),
    _item(
        "Budsjettfrist for eierne",
        "Budget deadline for the owners",
        Category.DEADLINE,
        _fixed(10, 1),
        "Eierne melder inn planlagte bidrag og aktiviteter for neste år.",
        reminder_days=21,
        audience=Audience.OWNERS,
    ),
    _item(
        "Kontingentfaktura sendes eierne",
        "Contribution invoices sent to the owners",
        Category.DEADLINE,
        _fixed(1, 15),
        "Årlig kontingent etter antall ansatte.",
        reminder_days=7,
        audience=Audience.SECRETARIAT,
    ),
    _item(
        "Forfall for kontingent",
        "Contribution due",
        Category.DEADLINE,
        _fixed(2, 28),
        reminder_days=7,
        audience=Audience.OWNERS,
    ),
    _item(
        "Årsrapport og regnskap",
        "Annual report and accounts",
        Category.DEADLINE,
        _fixed(2, 15),
        audience=Audience.SECRETARIAT,
        reminder_days=14,
    ),
    _item(
        "Frokostwebinar",
        "Breakfast webinar",
        Category.SEMINAR,
        (
            RecurrenceKind.RRULE,
            {"rrule": "FREQ=MONTHLY;BYMONTH=2,4,9,11;BYDAY=1TH", "rrule_start": date(2026, 1, 1)},
        ),
        "Kort webinar med innlegg fra en av eierne.",
        all_day=False,
        start_time=time(8, 30),
        end_time=time(9, 15),
        reminder_minutes=60,
        reminder_days=0,
    ),
]


def load_cycle(users) -> list[str]:
    """Add the demo årshjul (flushes; the caller commits) and say what was loaded."""
    for values in CYCLE:
        operations.create_item(values, None)
    return [f"årshjul: {len(CYCLE)} items"]
