"""A realistic demo of the network: owners in every staff band, student welfare
organisations, observers and non-owners, and users of every role.

Demo passwords are printed by `eventsys demo` and listed in the README; they are for a
local demo database only.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from eventsys.auth import operations as accounts
from eventsys.auth.models import Role, User
from eventsys.extensions import db
from eventsys.organisations import operations as orgs
from eventsys.organisations.models import Organisation

DEMO_PASSWORD = "demo-passord-2026"

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


def has_data() -> bool:
    return bool(db.session.scalar(select(func.count()).select_from(Organisation))) or bool(
        db.session.scalar(select(func.count()).select_from(User))
    )


def load() -> list[str]:
    """Add the demo rows (flushes; the caller commits) and say what was loaded."""
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

    for email, name, role in USERS:
        accounts.create_user(email, DEMO_PASSWORD, name=name, role=role, verified=True)
        lines.append(f"user {email} ({role.value}) password {DEMO_PASSWORD}")
    return lines
