"""The demo's people: resource persons for most owners (two missing, so the admin page
flags them), a host on the local seminar in Bergen, forum threads in Norwegian, one sent
and one scheduled newsletter, and subscribers."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from eventsys.arshjul.models import CycleItem
from eventsys.arshjul.rules import Category
from eventsys.auth import operations as accounts
from eventsys.demo.events import DEMO_PASSWORD
from eventsys.events.models import Event, EventStatus
from eventsys.extensions import db
from eventsys.forum import operations as forum
from eventsys.forum.models import ForumCategory
from eventsys.newsletters import operations as newsletters
from eventsys.newsletters.models import Subscriber
from eventsys.organisations.models import Organisation
from eventsys.people import operations as people
from eventsys.themes.operations import ensure_seed_themes

# Owner (by domain) -> resource person: name, e-mail, title, region, themes, bio, consent.
# Høgskolen i Molde and Sit have none yet: the admins' page flags them.
RESOURCE_PERSONS = {
    "uio.no": ("Hanne Lykke", "hanne.lykke@uio.no", "Seniorrådgiver, Studieavdelingen",
               "ost", ["completion", "learning_environment"],
               "Arbeider med gjennomføring og frafall i profesjonsutdanningene.", True),
    "uib.no": ("Siri Aasen", "siri.aasen@uib.no", "Rådgiver, Studentsenteret", "vest",
               ["cooperation", "student_engagement"],
               "Koordinerer samarbeidet mellom UiB, Sammen og studentene. Vert for "
               "seminaret om **trepartssamarbeid**.", True),
    "ntnu.no": ("Lars Engen", "lars.engen@ntnu.no", "Førstekonsulent", "midt",
                ["learning_environment", "universal_design"],
                "Læringsmiljøutvalget og universell utforming av undervisningsrom.", False),
    "uit.no": ("Anniken Pedersen", "anniken.pedersen@uit.no", "Studieleder", "nord",
               ["mental_health"], "SHoT-oppfølging og tiltak mot ensomhet i Tromsø og Alta.",
               True),
    "oslomet.no": ("Yusuf Karimi", "yusuf.karimi@oslomet.no", "Rådgiver", "ost",
                   ["internationalisation", "completion"],
                   "Internasjonale studenter og overgangen til arbeidslivet.", True),
    "uia.no": ("Marte Solheim", "marte.solheim@uia.no", "Seniorrådgiver", "sor",
               ["student_finances"], "Studenters økonomi og deltidsjobb.", False),
    "hvl.no": ("Kristoffer Vik", "kristoffer.vik@hvl.no", "Rådgiver", "vest",
               ["student_engagement"], "Studentdemokrati og tillitsvalgte.", True),
    "nord.no": ("Tone Rasmussen", "tone.rasmussen@nord.no", "Studiekoordinator", "nord",
                ["completion"], "Oppmøte og frafall på campusene i Bodø og Levanger.", False),
    "nmbu.no": ("Ole Brattli", "ole.brattli@nmbu.no", "Rådgiver", "ost",
                ["learning_environment"], "Fysisk og digitalt læringsmiljø.", True),
    "hivolda.no": ("Ragnhild Furset", "ragnhild.furset@hivolda.no", "Høgskulelektor", "vest",
                   ["mental_health", "student_engagement"], "Fadderordningar og trivsel.",
                   True),
    "sio.no": ("Camilla Berge", "camilla.berge@sio.no", "Fagleder, SiO Helse", "ost",
               ["mental_health", "cooperation"], "Lavterskeltilbud og samarbeid med UiO.",
               True),
    "sammen.no": ("Eivind Halvorsen", "eivind.halvorsen@sammen.no", "Rådgiver", "vest",
                  ["cooperation", "student_finances"], "Bolig, økonomi og helse i Sammen.",
                  False),
}  # fmt: skip

THREADS = [
    (
        "cooperation",
        "Faste møteplasser mellom lærested og samskipnad?",
        "Hos oss møtes ledelsen to ganger i året, men samarbeidet må også skje på lavere "
        "nivå. Har noen faste møteplaner mellom studieavdeling, samskipnad og studenter "
        "som fungerer i praksis?",
        [
            (
                "siri.aasen@uib.no",
                "I Bergen har vi et månedlig **trepartsmøte** med "
                "Sammen og studentparlamentet. Det viktigste var å bli enige om hvor "
                "samskipnadens ansvar stopper og vårt begynner.",
            ),
            (
                "camilla.berge@sio.no",
                "Vi har lignende i Oslo. Studentene skiller sjelden "
                "mellom samskipnad og lærested – de vil bare ha tjenesten.",
            ),
        ],
    ),
    (
        "mental_health",
        "Tiltak mot ensomhet blant førsteårsstudenter",
        "SHoT viser at mange føler seg ensomme det første året. Hvilke tiltak har "
        "virket hos dere? Fadderuke alene holder ikke.",
        [
            (
                "anniken.pedersen@uit.no",
                "Vi har hatt god erfaring med faste "
                "kollokviegrupper som settes sammen av studieprogrammet i uke 1.",
            ),
            (
                "ragnhild.furset@hivolda.no",
                "Fadderordninga vår held fram heile første "
                "semester, ikkje berre første veka. Det har gjort ein skilnad.",
            ),
        ],
    ),
    (
        "student_finances",
        "Deltidsjobb og studieprogresjon",
        "Flere studenter jobber over 20 timer i uka. Har noen tall på hvordan det "
        "påvirker gjennomføringen, og hva kan lærestedet gjøre?",
        [
            (
                "marte.solheim@uia.no",
                "Vi så på dette i fjor: de som jobber mest tar "
                "sjeldnere eksamen på normert tid. Fleksible undervisningstider hjalp noe.",
            )
        ],
    ),
]

SUBSCRIBERS = [
    ("studieleder@hiof.no", [], "nb"),
    ("radgiver@inn.no", ["mental_health"], "nb"),
    ("international.office@uis.no", [], "en"),
    ("studentombud@usn.no", ["completion", "learning_environment"], "nb"),
    ("velferd@studentsamskipnaden.no", ["cooperation"], "nb"),
]


def _org(domain: str) -> Organisation:
    from eventsys.organisations.models import OrganisationDomain

    return db.session.scalar(
        select(Organisation).join(OrganisationDomain).where(OrganisationDomain.domain == domain)
    )


def load_community(users) -> list[str]:
    admin = users["admin@kompetansenettverk.no"]
    organiser = users["arrangement@kompetansenettverk.no"]
    ensure_seed_themes()
    now = datetime.now(UTC)
    lines = []

    # Resource persons with their profiles, for the ownership period 2025–2026.
    persons = {}
    for domain, (name, email, title, region, themes, bio, consent) in RESOURCE_PERSONS.items():
        user = accounts.create_user(email, DEMO_PASSWORD, name=name, verified=True)
        persons[email] = user
        people.appoint(admin, _org(domain), email, date(2025, 1, 1), date(2026, 12, 31))
        people.save_profile(
            user,
            {
                "title": title,
                "region": region,
                "themes": themes,
                "bio": bio,
                "phone": "+47 55 00 00 00" if consent else "",
                "contact_email": email,
                "contact_consent": consent,
            },
        )
    missing = people.owners_without_resource_person()
    lines.append(
        f"people: {len(persons)} resource persons; without one: "
        + ", ".join(o.name for o in missing)
    )

    # The local seminar in Bergen gets UiB's resource person as host.
    seminar = db.session.scalar(select(Event).where(Event.title.like("Trepartssamarbeid%")))
    people.add_host(organiser, seminar, "siri.aasen@uib.no")
    lines.append(f"host: siri.aasen@uib.no on «{seminar.title}» (password {DEMO_PASSWORD})")

    # Forum: a category per theme, threads in some, a thread per published seminar.
    forum.ensure_theme_categories()
    started = now - timedelta(days=6)
    for n, (slug, title, body, replies) in enumerate(THREADS):
        category = db.session.scalar(select(ForumCategory).where(ForumCategory.slug == slug))
        at = started + timedelta(days=n, hours=2)
        thread = forum.create_thread(organiser, category, title, body, now=at)
        for m, (email, text) in enumerate(replies):
            author = persons[email]
            post = forum.reply(author, thread, text, now=at + timedelta(hours=m + 1))
            if post.state == "pending":
                forum.moderate_post(organiser, post, "approve", "", now=at + timedelta(hours=m + 2))
    # A newcomer's first post waits in the moderation queue.
    waiting = forum.reply(
        users["per.olsen@student.ntnu.no"],
        thread,
        "Som student: det viktigste er at vi får vite om tilbudene tidlig i semesteret.",
        now=now - timedelta(hours=3),
    )
    forum.ensure_event_threads()
    event_thread = forum.event_thread(seminar)
    forum.reply(
        persons["siri.aasen@uib.no"],
        event_thread,
        "Velkommen til seminaret! Ta gjerne med et eksempel på samarbeid fra eget "
        "lærested til gruppearbeidet.",
        now=now - timedelta(days=1),
    )
    seminars = db.session.query(Event).filter(Event.status == EventStatus.published).count()
    lines.append(
        f"forum: {len(THREADS)} threads, event threads for published seminars "
        f"({seminars} published events), 1 post waiting ({waiting.state})"
    )

    # Newsletters: subscribers (confirmed, one not yet), one issue sent, one scheduled.
    for email, themes, language in SUBSCRIBERS:
        db.session.add(
            Subscriber(
                email=email,
                language=language,
                token=secrets.token_urlsafe(32),
                confirmed_at=now - timedelta(days=40),
                themes=newsletters._themes(themes),
            )
        )
    newsletters.subscribe("venter.paa.bekreftelse@uia.no", [], "nb")
    newsletters.set_account_subscription(users["kari.hansen@uib.no"], True, [], "nb")
    db.session.flush()

    sent_at = now - timedelta(days=30)
    issue = newsletters.create_issue(
        organiser,
        "Nyhetsbrev: nettverket denne høsten",
        "## Velkommen til et nytt semester\n\nHøstens seminarer handler om "
        "**trepartssamarbeid**, studentengasjement og studenters økonomi. Meld dere på "
        "tidlig: ansatte hos eierne har prioritet.\n\n"
        + newsletters.upcoming_events_markdown(now=sent_at),
        "nb",
        [],
    )
    newsletters.schedule(issue, sent_at, now=sent_at - timedelta(minutes=1))
    while newsletters.send_batch(issue.id, sent_at + timedelta(minutes=1)):
        pass
    spring = db.session.scalar(
        select(CycleItem).where(
            CycleItem.category == Category.NEWSLETTER,
            CycleItem.title_nb == "Nyhetsbrev: nettverket i vår",
        )
    )
    scheduled = newsletters.create_issue(
        organiser,
        "Nyhetsbrev: nettverket i vår",
        "## Vårens aktiviteter\n\nSamling for ressurspersonene, seminar om ensomhet og "
        "frist for innspill til konferansen.\n\n" + newsletters.upcoming_events_markdown(),
        "nb",
        [],
    )
    newsletters.schedule(scheduled, None, spring, now=now)
    lines.append(
        f"newsletters: {len(SUBSCRIBERS) + 2} subscribers, «{issue.title}» sent to "
        f"{issue.recipients}, «{scheduled.title}» scheduled for {scheduled.send_at:%Y-%m-%d}"
    )
    return lines
