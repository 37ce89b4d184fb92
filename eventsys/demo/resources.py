"""The resource bank's demo: about forty records on the network's themes (best
practice from the network's workshops, literature, reports, methods), external
conferences, and the materials of the past demo seminar."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from eventsys.database import local_date
from eventsys.events.models import Event
from eventsys.extensions import db
from eventsys.organisations.models import Organisation
from eventsys.resources import operations
from eventsys.themes.operations import ensure_seed_themes

PAST_SEMINAR = "Ensomhet blant studenter – hva virker?"

# kind, title, year, language, themes, organisation (or None), authors, summary, url, doi
RECORDS = [
    # Best practice: outcomes of the network's workshops.
    (
        "best_practice",
        "Trepartssamarbeid: lærested, samskipnad og studenter ved samme bord",
        2025,
        "nb",
        ["cooperation", "learning_environment"],
        "Sammen – Studentsamskipnaden på Vestlandet",
        ["Dahl, Marte", "Nilsen, Jon"],
        "Faste møter der **utdanningsinstitusjon, studentsamskipnad og studenter** alle deltar. Studentene står i førersetet for å vise ønsker og behov, og tjenestene utvikles i fellesskap. Psykososialt læringsmiljø er et felles ansvar.",
        "",
        None,
    ),
    (
        "best_practice",
        "Operative samarbeidsplaner mellom samskipnad og lærested",
        2024,
        "nb",
        ["cooperation"],
        "Studentsamskipnaden i Trondheim (Sit)",
        ["Hoel, Anders"],
        "Hvor stopper samskipnadens ansvar, og hvor begynner lærestedets? En møteplan og en felles strategi på lavere nivå enn styrene gjør at aktørene jobber mot like mål og unngår konkurranse om de samme studentene.",
        "",
        None,
    ),
    (
        "best_practice",
        "Samleportal for tilbud fra lærested og samskipnad",
        2025,
        "nb",
        ["cooperation", "student_engagement"],
        "Studentsamskipnaden i Oslo (SiO)",
        ["Berg, Ingrid"],
        "Studenter skiller sjelden på samskipnad og lærested: de vil ha tilbudet. Én portal og ett nyhetsbrev samler informasjonen, og foreleserne minner om tjenestene i første forelesning.",
        "",
        None,
    ),
    (
        "best_practice",
        "Aktivitetskalender: all studentaktivitet på ett sted",
        2024,
        "nb",
        ["student_engagement"],
        "Universitetet i Agder",
        ["Lunde, Sofie"],
        "Studenter sier det er vanskelig å finne arrangementer og foreninger. En felles aktivitetskalender for lærested, samskipnad og studentforeninger gjør det mindre tilfeldig hva nye studenter får med seg.",
        "",
        None,
    ),
    (
        "best_practice",
        "Lavterskeltilbud for nye studenter: alltid plass til én til",
        2025,
        "nb",
        ["student_engagement", "mental_health"],
        "Universitetet i Bergen",
        ["Hansen, Kari"],
        "Enkeltstående arrangementer uten forpliktelse, campusverter som skaper hygge og aktivitet, og en kultur der det alltid er plass til en ny person i fellesskapet. Motvirker ensomhet og hindrer frafall.",
        "",
        None,
    ),
    (
        "best_practice",
        "Aktivitetsfond med enkel søknad for små studentgrupper",
        2024,
        "nb",
        ["student_engagement", "student_finances"],
        "Studentsamskipnaden i Trondheim (Sit)",
        ["Aune, Henrik"],
        "Små grupper får midler til å starte aktiviteter med en søknad på én side. Mindre administrasjon, mer aktivitet – og rom for å feile.",
        "",
        None,
    ),
    (
        "best_practice",
        "Campusverter som fadderordning gjennom hele første studieår",
        2023,
        "nb",
        ["student_engagement", "completion"],
        "Høgskulen på Vestlandet",
        ["Sandvik, Eirik"],
        "Studenter ansatt som campusverter følger opp nye studenter gjennom hele første år, ikke bare fadderuka. Erfaringene viser færre som slutter før jul.",
        "",
        None,
    ),
    (
        "best_practice",
        "Kollokviegrupper fra første uke reduserer frafall",
        2024,
        "nb",
        ["completion", "learning_environment"],
        "Norges teknisk-naturvitenskapelige universitet",
        ["Strand, Ola", "Moe, Lene"],
        "Faste kollokviegrupper satt sammen av faglærer i første studieuke, med studentassistent. Gruppene gir faglig tilhørighet og et nettverk som holder studentene i studiet.",
        "",
        None,
    ),
    (
        "best_practice",
        "Obligatorisk oppmøte i første semester – med gode alternativer",
        2025,
        "nb",
        ["completion", "learning_environment", "universal_design"],
        "Høgskolen i Molde",
        ["Vik, Tone"],
        "Oppmøte bygger kultur og tilhørighet i overgangen fra elev til student, men må være godt begrunnet. Studenter med sykdom, verv eller særlige behov får skriftlige alternativer. Mest relevant i starten av studiet.",
        "",
        None,
    ),
    (
        "best_practice",
        "Økonomiveiledning for studenter i samarbeid med Forbrukerrådet UNG",
        2024,
        "nb",
        ["student_finances"],
        "Studentsamskipnaden i Oslo (SiO)",
        ["Rønning, Maria"],
        "Mange studenter forstår ikke stipendreglene og vet ikke hvem de kan snakke med om privatøkonomi. Drop-in-veiledning, en budsjettkalkulator og informasjon om Lånekassen ved studiestart.",
        "https://www.forbrukerradet.no/ung",
        None,
    ),
    (
        "best_practice",
        "Relevante deltidsjobber på campus",
        2023,
        "nb",
        ["student_finances", "student_engagement"],
        "Universitetet i Oslo",
        ["Eriksen, Per"],
        "Studenter må jobbe ved siden av studiene. Lærestedet og samskipnaden lyser ut studentjobber som er relevante for fagene – som studentassistenter, campusverter og digitale veiledere.",
        "",
        None,
    ),
    (
        "best_practice",
        "Sosiale møteplasser på campus i distriktene",
        2025,
        "nb",
        ["mental_health", "student_engagement"],
        "Nord universitet",
        ["Johansen, Silje"],
        "Små studiesteder har få arenaer der studenter treffes. Samarbeid med vertskommunen åpner kommunale lokaler og frivillighet for studentene.",
        "",
        None,
    ),
    (
        "best_practice",
        "Mentorordning for studenter i overgangen fra bachelor til master",
        2024,
        "nb",
        ["completion"],
        "UiT Norges arktiske universitet",
        ["Pedersen, Rune"],
        "Masterstudenter fra andre læresteder får en mentor fra andre året. Overgangen kan være like ensom som studiestarten.",
        "",
        None,
    ),
    (
        "best_practice",
        "Universell utforming av digitale læringsressurser: sjekkliste for emneansvarlige",
        2025,
        "nb",
        ["universal_design", "learning_environment"],
        "OsloMet – storbyuniversitetet",
        ["Larsen, Hilde"],
        "Teksting av video, lesbare PDF-er, kontrast og struktur i emnerom. En sjekkliste på én side som emneansvarlige går gjennom før semesterstart.",
        "https://www.uutilsynet.no",
        None,
    ),
    (
        "best_practice",
        "Tilrettelagt eksamen uten dokumentasjonsjag",
        2024,
        "nb",
        ["universal_design", "mental_health"],
        "Universitetet i Bergen",
        ["Solberg, Anne"],
        "Studenter som trenger tilrettelegging får det raskere når lærestedet godtar studentens egen beskrivelse for vanlige tiltak, og bare krever dokumentasjon der det trengs.",
        "",
        None,
    ),
    (
        "best_practice",
        "Buddy-program for internasjonale studenter",
        2023,
        "en",
        ["internationalisation", "mental_health"],
        "Norges miljø- og biovitenskapelige universitet",
        ["Haugen, Kristin"],
        "Each incoming international student is paired with a local student before arrival. Shared activities during the first month reduce loneliness and help students find their way around campus.",
        "",
        None,
    ),
    (
        "best_practice",
        "Studentboliger nær campus og kollektivknutepunkt",
        2025,
        "nb",
        ["student_finances"],
        "Sammen – Studentsamskipnaden på Vestlandet",
        ["Fosse, Gunnar"],
        "Høye leiepriser presser studentøkonomien. Nye studentboliger planlegges ved campus og kollektivknutepunkt, slik at studentene slipper bil.",
        "",
        None,
    ),
    # Literature.
    (
        "literature",
        "Dropout from Higher Education: A Theoretical Synthesis of Recent Research",
        1975,
        "en",
        ["completion"],
        None,
        ["Tinto, Vincent"],
        "The classic model of student departure: academic and social integration into the institution shape a student's commitment to their goals and to the institution.",
        "",
        "10.3102/00346543045001089",
    ),
    (
        "literature",
        "Framing student engagement in higher education",
        2013,
        "en",
        ["student_engagement"],
        None,
        ["Kahu, Ella R."],
        "A critical review of four perspectives on student engagement – behavioural, psychological, socio-cultural and holistic – and a framework that connects them.",
        "",
        "10.1080/03075079.2011.598505",
    ),
    (
        "literature",
        "Leaving College: Rethinking the Causes and Cures of Student Attrition",
        1993,
        "en",
        ["completion"],
        None,
        ["Tinto, Vincent"],
        "Why students leave college, and what institutions can do about it. The second edition extends the model to adult and minority students.",
        "",
        None,
    ),
    (
        "literature",
        "Ensomhet blant studenter: en kunnskapsoversikt",
        2024,
        "nb",
        ["mental_health"],
        None,
        ["Kvam, Elin", "Brekke, Tor"],
        "Oversikt over norsk og internasjonal forskning om **ensomhet** blant studenter: omfang, risikofaktorer og tiltak som er prøvd ut ved lærestedene.",
        "",
        None,
    ),
    (
        "literature",
        "Tilhørighet og frafall i profesjonsutdanningene",
        2023,
        "nb",
        ["completion", "learning_environment"],
        None,
        ["Aasen, Marit"],
        "Artikkel om sammenhengen mellom faglig tilhørighet, praksis og frafall i sykepleier- og lærerutdanningen.",
        "",
        None,
    ),
    (
        "literature",
        "Studieprogresjon og deltidsarbeid blant norske studenter",
        2022,
        "nb",
        ["student_finances", "completion"],
        None,
        ["Holm, Jørgen", "Lie, Anette"],
        "Studenter som jobber mer enn 15 timer i uka, har lavere studieprogresjon. Analysen bruker registerdata for tre kull.",
        "",
        None,
    ),
    # Reports.
    (
        "report",
        "Studentenes helse- og trivselsundersøkelse (SHoT)",
        2022,
        "nb",
        ["mental_health", "learning_environment"],
        "Studentsamskipnaden i Oslo (SiO)",
        ["Studentsamskipnadene"],
        "Den nasjonale undersøkelsen av studenters helse og trivsel, gjennomført hvert fjerde år av studentsamskipnadene. Viktige funn om **ensomhet**, psykiske plager og søvn.",
        "https://shotstudien.no",
        None,
    ),
    (
        "report",
        "Studiebarometeret: studentenes vurdering av studiekvalitet",
        2024,
        "nb",
        ["learning_environment"],
        None,
        ["NOKUT"],
        "Den årlige nasjonale spørreundersøkelsen om studiekvalitet, med resultater per studieprogram.",
        "https://www.studiebarometeret.no",
        None,
    ),
    (
        "report",
        "Gjennomføring i høyere utdanning: tall og analyser",
        2025,
        "nb",
        ["completion"],
        None,
        ["Direktoratet for høyere utdanning og kompetanse"],
        "Analyse av gjennomføringstall for bachelor- og masterstudenter, med forskjeller mellom fagområder og studiesteder.",
        "",
        None,
    ),
    (
        "report",
        "Læringsmiljøutvalgenes årsrapporter: en gjennomgang",
        2024,
        "nb",
        ["learning_environment", "cooperation"],
        "OsloMet – storbyuniversitetet",
        ["Karlsen, Bente"],
        "Hva læringsmiljøutvalgene arbeider med, og hvordan samarbeidet med studentsamskipnadene fungerer.",
        "",
        None,
    ),
    (
        "report",
        "Student well-being in the Nordic countries",
        2023,
        "en",
        ["mental_health", "internationalisation"],
        None,
        ["Nordic Council of Ministers"],
        "A comparison of surveys of student health and well-being in Denmark, Finland, Iceland, Norway and Sweden.",
        "",
        None,
    ),
    # Methods and tools.
    (
        "method",
        "Tidlig varsling: oppfølging av studenter som ikke møter til første obligatoriske aktivitet",
        2024,
        "nb",
        ["completion"],
        "Universitetet i Agder",
        ["Tveit, Magnus"],
        "Studieveilederen kontakter studenter som ikke har levert første arbeidskrav. En enkel rutine som fanger opp frafall tidlig.",
        "",
        None,
    ),
    (
        "method",
        "Budsjettkalkulator for studenter",
        2025,
        "nb",
        ["student_finances"],
        "Studentsamskipnaden i Trondheim (Sit)",
        ["Sit"],
        "Et regneark som viser hva som blir igjen av stipend og lån etter husleie og faste utgifter, måned for måned.",
        "",
        None,
    ),
    (
        "method",
        "Spørreskjema om tilhørighet til bruk i emneevaluering",
        2023,
        "nb",
        ["learning_environment", "mental_health"],
        "Høgskulen på Vestlandet",
        ["Nygård, Ida"],
        "Fem korte spørsmål om tilhørighet og trivsel som kan legges inn i den vanlige emneevalueringen.",
        "",
        None,
    ),
    (
        "method",
        "Universell utforming: verktøy for å sjekke PDF-er før publisering",
        2024,
        "nb",
        ["universal_design"],
        None,
        ["Universell"],
        "Hvordan kontrollere at et dokument er tilgjengelig for skjermleser: overskrifter, alternativ tekst og lesefølge.",
        "https://www.universell.no",
        None,
    ),
    # Links and videos.
    (
        "link",
        "Universell: nasjonal pådriver for universell utforming i høyere utdanning",
        2025,
        "nb",
        ["universal_design"],
        None,
        [],
        "Veiledning, maler og kurs om tilrettelegging og universell utforming for universiteter og høyskoler.",
        "https://www.universell.no",
        None,
    ),
    (
        "link",
        "Lånekassen: stipend og lån for studenter",
        2025,
        "nb",
        ["student_finances"],
        None,
        [],
        "Regler for stipend, lån og omgjøring. Nyttig å lenke til ved studiestart.",
        "https://www.lanekassen.no",
        None,
    ),
    (
        "video",
        "Ensom på campus? Studenter forteller",
        2024,
        "nb",
        ["mental_health"],
        "Universitetet i Oslo",
        ["Eriksen, Per"],
        "Kort film der studenter forteller om overgangen fra elev til student og hva som hjalp dem å finne et fellesskap.",
        "https://www.uio.no",
        None,
    ),
]

# External conferences: title, days from today, length, place, deadline days before, url
CONFERENCES = [
    (
        "Nasjonal konferanse om læringsmiljø i høyere utdanning",
        75,
        2,
        "Trondheim",
        30,
        "nb",
        "https://www.ntnu.no",
        ["learning_environment", "mental_health"],
    ),
    (
        "EAIR Forum: Higher Education in Transition",
        150,
        3,
        "Lisboa",
        90,
        "en",
        "https://www.eair.nl",
        ["completion", "internationalisation"],
    ),
    (
        "European First Year Experience Conference",
        200,
        3,
        "Groningen",
        120,
        "en",
        "https://www.efye.org",
        ["completion", "student_engagement"],
    ),
]

# Materials of the past demo seminar: title, kind, authors, summary, the slides' text.
MATERIALS = [
    (
        "Lysark: Ensomhet i SHoT-tallene",
        "presentation",
        ["Brekke, Tor"],
        "Innledningen på seminaret: hva SHoT-undersøkelsen sier om **ensomhet**, og hvem som er mest utsatt.",
        "Ensomhet blant studenter. SHoT-funnene. Hvem er mest utsatt? Studiestart og tilhorighet.",
    ),
    (
        "Lysark: Kollokviegrupper og campusverter ved UiT",
        "presentation",
        ["Pedersen, Rune"],
        "Erfaringer fra UiT med faste kollokviegrupper og campusverter i første studieår.",
        "Kollokviegrupper fra forste uke. Campusverter. Faerre slutter for jul.",
    ),
    (
        "Oppsummering fra seminaret: tiltak som virker mot ensomhet",
        "best_practice",
        ["Nordmann, Ola"],
        "Gruppenes oppsummering: lavterskeltilbud, faste grupper, sosiale møteplasser og samarbeid med samskipnaden.",
        None,
    ),
]


def simple_pdf(text: str) -> bytes:
    """A one-page PDF showing `text` (ASCII), written by hand: the demo's slides."""
    stream = f"BT /F1 14 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def load_resources(users) -> list[str]:
    """Themes, ~40 published records, three conferences, the seminar's materials, and
    one suggestion waiting in the organisers' queue."""
    ensure_seed_themes()
    organiser = users["arrangement@kompetansenettverk.no"]
    orgs = {o.name: o.id for o in db.session.scalars(select(Organisation))}
    for kind, title, year, language, themes, org, authors, summary, url, doi in RECORDS:
        operations.create_resource(
            {
                "kind": kind,
                "title": title,
                "year": year,
                "language": language,
                "authors": authors,
                "summary": summary,
                "url": url,
                "doi": doi,
            },
            organiser,
            themes=themes,
            organisation_id=orgs.get(org) if org else None,
            status="published",
        )
    today = local_date()
    for title, days, length, place, deadline, language, url, themes in CONFERENCES:
        starts = today + timedelta(days=days)
        operations.create_resource(
            {
                "kind": "conference",
                "title": title,
                "year": starts.year,
                "language": language,
                "starts_on": starts,
                "ends_on": starts + timedelta(days=length - 1),
                "location": place,
                "deadline": starts - timedelta(days=deadline),
                "url": url,
                "summary": "",
            },
            organiser,
            themes=themes,
            status="published",
        )
    seminar = db.session.scalar(select(Event).where(Event.title == PAST_SEMINAR))
    for title, kind, authors, summary, slides in MATERIALS:
        resource = operations.create_resource(
            {
                "kind": kind,
                "title": title,
                "authors": authors,
                "summary": summary,
                "language": "nb",
                "year": today.year,
            },
            organiser,
            themes=["mental_health", "student_engagement"],
            event_id=seminar.id if seminar else None,
            status="published",
        )
        if slides:
            name = title.split(": ", 1)[-1].lower().replace(" ", "-")[:40] + ".pdf"
            operations.attach_file(resource, name, simple_pdf(slides), organiser)
    operations.create_resource(
        {
            "kind": "best_practice",
            "title": "Studentombud og læringsmiljø: erfaringer fra UiB",
            "language": "nb",
            "year": today.year,
            "summary": "Forslag fra Kari Hansen: hvordan studentombudet samarbeider med læringsmiljøutvalget.",
        },
        users["kari.hansen@uib.no"],
        themes=["learning_environment"],
        status="submitted",
    )
    count = len(RECORDS) + len(CONFERENCES) + len(MATERIALS)
    return [
        f"resource bank: {count} published resources ({len(CONFERENCES)} conferences, "
        f"{len(MATERIALS)} materials of “{PAST_SEMINAR}”), 1 suggestion waiting"
    ]
