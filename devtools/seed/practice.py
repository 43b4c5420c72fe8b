"""Demo and bench data for practice.

``seed_demo`` turns the seed documents (/work/shared/seeds, copied into the texts below so the
demo works from a fresh clone) into guides and joint actions through the services, so that
revisions and the search index are built the way the site builds them. It is idempotent:
guides and joint actions are looked up by slug first.

``seed_bench`` bulk-inserts thousands of guides and joint actions and builds their search
vectors with one UPDATE per kind.
"""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from core import cache
from devtools.seed.scaling import scaled
from network.models import Organisation, Role, Theme, User
from practice import services
from practice.models import (
    NAMESPACE,
    Characteristic,
    Guide,
    GuideRevision,
    GuideWork,
    JointAction,
    JointActionUpdate,
    Participation,
)
from search import index as searchindex
from search.models import SearchEntry

DEMO_PASSWORD = "learninglab"  # noqa: S105 — the documented demo login, DEBUG only.
DUTCH_TRANSLATOR = "lotte.devries@example.org"

ORGANISATIONS = [
    # name, kind, country, city
    ("Digidem Lab", "community_organising", "SE", "Göteborg"),
    ("Navet i Bergsjön", "grassroots", "SE", "Göteborg"),
    ("Tillsammans Hjällbo", "grassroots", "SE", "Göteborg"),
    ("Agera Göteborg", "grassroots", "SE", "Göteborg"),
    ("Rädda Barnen", "other", "SE", "Stockholm"),
    ("Göteborgs stift", "other", "SE", "Göteborg"),
    ("Postkodstiftelsen", "funder", "SE", "Stockholm"),
    ("Gemeente Hellendoorn", "public_body", "NL", "Nijverdal"),
    ("Network Learning Communities", "research", "NL", "Utrecht"),
    ("Community Organisers", "community_organising", "GB", "London"),
    ("European Community Organisers Network", "network", "BE", "Brussels"),
    ("National Lottery Community Fund", "funder", "GB", "London"),
    ("Klimaatbuurt Utrecht", "grassroots", "NL", "Utrecht"),
    ("Buurtwerk Gent", "grassroots", "BE", "Gent"),
    ("Buurtkracht Nijverdal", "grassroots", "NL", "Nijverdal"),
]


def _organisation(name: str) -> Organisation:
    """Look an organisation up by slug (the network seed may have made it); create it if absent."""
    slug = slugify(name)
    existing = Organisation.objects.filter(slug=slug).first() or Organisation.objects.filter(name=name).first()
    if existing:
        return existing
    kind, country, city = next((k, c, ci) for n, k, c, ci in ORGANISATIONS if n == name)
    return Organisation.objects.create(name=name, slug=slug, kind=kind, country=country, city=city)


def _user(email: str, role: str, first_name: str, last_name: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=DEMO_PASSWORD, first_name=first_name, last_name=last_name)
        from allauth.account.models import EmailAddress

        EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    group, _created = Group.objects.get_or_create(name=role)
    user.groups.add(group)
    if role == Role.COORDINATOR and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    return user


def _theme(slug: str) -> Theme:
    theme = Theme.objects.filter(slug=slug).first()
    if theme is None:
        theme = Theme.objects.create(slug=slug, name=slug.replace("-", " ").capitalize())
    return theme


def _characteristics(*slugs):
    return list(Characteristic.objects.filter(slug__in=slugs))


LERENDE_GEMEENSCHAP_NL = {
    "what": (
        "Een Lerende Gemeenschap (LG) bestaat uit een groep mensen die belang heeft bij een bepaald vraagstuk en "
        "met elkaar kennis wil uitwisselen om dit onderwerp aan te pakken."
    ),
    "how": (
        "Een LG ontstaat niet zozeer vanuit een specifiek projectplan dat ondersteuning nodig heeft, maar juist vanuit "
        "de gezamenlijke betrokkenheid van burgers bij een onderwerp en de behoefte aan verandering. De gemeente "
        "vervult daarbij een ondersteunende rol op het gebied van organisatie en PR.\n\n"
        "Een LG bestaat uit een groep actieve denkers en doeners uit de gemeente, die regelmatig bij elkaar komen. "
        "Er wordt een onderwerp gekozen waar men allemaal belang bij heeft en er vindt een brainstorm plaats over "
        "ideeën en oplossingen voor de problemen die met dit onderwerp samenhangen.\n\n"
        "De groep heeft geen ad hoc werking, maar is juist op de lange termijn bezig met het onderwerp. De opzet van "
        "de methode is dat een LG andere burgers stimuleert om zelf een Lerende Gemeenschap op te zetten. Deze "
        "olievlekwerking moet ertoe leiden dat het aantal LG's rond verschillende onderwerpen toeneemt, waardoor de "
        "kennis toeneemt en steeds meer aangepakt kan worden."
    ),
    "results": (
        "Een Lerende Gemeenschap dient meerdere doelen. Ten eerste bevordert een LG de zelfwerkzaamheid van burgers. "
        "Ten tweede wordt de sociale cohesie versterkt doordat burgers zich samen buigen over plaatselijke "
        "vraagstukken. Ten derde werpt een LG nieuw licht op plaatselijke onderwerpen en stelt het nieuwe "
        "onderwerpen aan de kaak."
    ),
    "in_practice": (
        "De methode is gebruikt in de gemeente Hellendoorn. De Lerende Gemeenschap werd door de gemeente beschouwd "
        "als een kans om de interactie met maatschappelijke partners en inwoners te verbeteren. Er moest niet gedacht "
        "worden vanuit een hiërarchische verhouding of een afhankelijke positie, maar op basis van gelijkwaardigheid. "
        "De LG was gericht op de ontwikkeling van duurzame vormen van samenwerking en werkwijzen die daarbij passen."
    ),
}

LERENDE_GEMEENSCHAP_EN = {
    "what": (
        "A Learning Community (LC) is a group of people who have a stake in a particular issue and want to "
        "exchange knowledge with each other to tackle it."
    ),
    "how": (
        "A learning community does not grow out of a project plan that needs support, but out of citizens' shared "
        "involvement in an issue and their wish for change. The municipality supports it with organisation and "
        "publicity.\n\n"
        "An LC is a group of active thinkers and doers from the municipality who meet regularly. They choose an "
        "issue they all care about and brainstorm ideas and solutions for the problems connected with it.\n\n"
        "The group is not a one-off: it works on its issue for the long term. The method is designed so that one "
        "learning community encourages other citizens to start their own. This spreading effect should increase "
        "the number of learning communities on different issues, so that knowledge grows and more can be tackled."
    ),
    "results": (
        "A learning community serves several purposes. First, it encourages citizens' self-reliance. Second, it "
        "strengthens social cohesion, because citizens work on local issues together. Third, it sheds new light on "
        "local issues and puts new issues on the agenda."
    ),
    "in_practice": (
        "The method was used in the municipality of Hellendoorn, which saw the learning community as a chance to "
        "improve its interaction with civil-society partners and residents: not from a hierarchical or dependent "
        "position, but as equals. The learning community aimed at lasting forms of collaboration and ways of "
        "working that suit them."
    ),
}

CO_LOKALT_SV = {
    "problem": (
        "Många som aktivt vill påverka samhällsutvecklingen märker att inte alla medborgare inkluderas i att utforma "
        "demokratins villkor. För att skapa ett mer jämlikt samhälle behövs effektiva verktyg för att engagera sig i "
        "lokalsamhället och driva på förändring underifrån."
    ),
    "context": (
        "Det organiseras kring bostäder, val och skola i Göteborgs förorter. Organisationerna verkar i områden där "
        "unga har sämre förutsättningar att påverka sina levnadsvillkor, vilket lyfts i Delmos rapport "
        "”Segregationens konsekvenser för unga”. Tillsammans Hjällbo organiserar sig mot en gentrifieringsprocess "
        "där boende trängs bort."
    ),
    "organisers": (
        "Utbildningsprogrammet och testverksamheten görs av Digidem Lab i samarbete med de lokala organisationerna "
        "Navet i Bergsjön, Tillsammans Hjällbo och Agera Göteborg (Tynnered). Digidem Lab samverkar också med Rädda "
        "Barnen och Göteborgs stift. Projektet finansieras av Postkodstiftelsens satsning Allas Röster."
    ),
    "involvement": (
        "Erfarna organisatörer träffas för fallstudier och workshops på avancerad nivå och är med och utbildar en ny "
        "generation lokala ledare i Tynnered, Bergsjön och Hjällbo."
    ),
    "what_happened": (
        "För första gången i Sverige erbjuds en fördjupande utbildning i det internationellt beprövade metodpaketet "
        "Community Organising. Utbildningen syftar till att stärka civilsamhällets resurser för att skapa lokal "
        "förändring i utsatta områden."
    ),
    "lessons": (
        "Lokal organisering är ett kunskapsområde som ofta förbises. Metodiken Community Organising har tydliga "
        "koncept och metoder som prövats på andra håll och är en bra start för utbildningar i organisering."
    ),
    "cross_border": (
        "Digidem Lab har arbetat med Community Organising internationellt, bland annat med utbildningar för "
        "kommuntjänstepersoner i Colombia och en deltagande budget i New York. Navet i Bergsjön har inspirerats av "
        "resultaten i Storbritannien."
    ),
}

CO_LOKALT_EN = {
    "problem": (
        "Many people who want to shape how society develops notice that not all citizens are included in shaping "
        "the conditions of democracy. A more equal society needs effective tools for getting involved locally and "
        "driving change from below."
    ),
    "context": (
        "People organise around housing, elections and schools in the suburbs of Gothenburg. The organisations work "
        "in areas where young people have fewer chances to influence their living conditions. Tillsammans Hjällbo "
        "organises against gentrification that pushes residents out."
    ),
    "organisers": (
        "Digidem Lab runs the training programme with the local organisations Navet i Bergsjön, Tillsammans Hjällbo "
        "and Agera Göteborg (Tynnered), together with Rädda Barnen and the Diocese of Gothenburg. It is funded by "
        "Postkodstiftelsen's programme Allas Röster."
    ),
    "involvement": (
        "Experienced organisers meet for case studies and advanced workshops and help train a new generation of "
        "local leaders in Tynnered, Bergsjön and Hjällbo."
    ),
    "what_happened": (
        "For the first time in Sweden, an in-depth training in the internationally tested Community Organising "
        "method is offered, to strengthen civil society's means of creating local change in disadvantaged areas."
    ),
    "lessons": (
        "Local organising is a field of knowledge that is often overlooked. Community Organising has clear concepts "
        "and tested methods, a good start for training in organising."
    ),
    "cross_border": (
        "Digidem Lab brought experience from training municipal staff in Colombia and a participatory budget in "
        "New York; Navet i Bergsjön was inspired by results in the United Kingdom."
    ),
}

TOP_SECTORS_EN = {
    "problem": (
        "In the Roadmap Human Capital Top Sectors 2020–2023, the ten Top Sectors agreed to realise 100 learning "
        "communities in 2023, where companies, knowledge institutions, civil society organisations and government "
        "bodies strengthen each other and connect working, learning, innovation and research."
    ),
    "context": (
        "A learning community is a relatively new concept, first introduced by the Top Sectors in 2016. The Network "
        "Learning Communities, an initiative of the Top Sectors and NWO led by the Taskforce for Applied Research "
        "SIA, gathers and spreads knowledge about it."
    ),
    "what_happened": (
        "In March 2022 the network published a national Position Paper Learning Communities, and developed an "
        "action scan tool to operationalise the concept and help existing learning communities.\n\n"
        "Top Sector LSH aims at 4 to 6 learning communities, rooted in fieldlabs (GROZzerdammen) where citizens, "
        "professionals, entrepreneurs, researchers, schools and policy makers work together in local and regional "
        "networks."
    ),
    "lessons": (
        "Knowledge from the fieldlabs can be transferred to other regions, and it works both ways: citizens who are "
        "experience experts can teach professionals what is needed locally."
    ),
}

LEARNING_LAB_EN = {
    "problem": (
        "Between April 2022 and September 2023, with support from the National Lottery Community Fund, Community "
        "Organisers worked with organisations across Europe on a Learning Lab to promote exchange and learning "
        "between people practising community organising."
    ),
    "organisers": (
        "Community Organisers with the European Community Organisers Network, funded by the National Lottery "
        "Community Fund."
    ),
    "involvement": (
        "- Online learning exchanges between members of both networks\n"
        "- Six in-person learning exchanges between organisers across Europe\n"
        "- A European Learning Exchange of three to four days to share ideas and build solidarity"
    ),
    "what_happened": (
        "## Strengthening networks and relationships\n\nExchanges online and in person.\n\n"
        "## Building an evidence base\n\nConvening funders and grassroots organisations, and showing the value of "
        "investing in the process of organising (consciousness-raising, conflict resolution, building trust and "
        "power) as well as its outcomes (campaigns, projects, initiatives).\n\n"
        "## Best-practice guidance\n\nHelping groups acting together on climate change, the digital divide and the "
        "cost of living to share their work and collaborate across borders."
    ),
    "cross_border": "A co-developed development strategy sets out how the network will be sustained.",
}


LERENDE_GEMEENSCHAP_SV = {
    "what": (
        "En lärande gemenskap består av en grupp människor som berörs av en viss fråga och vill utbyta kunskap med "
        "varandra för att ta itu med den."
    ),
    "how": (
        "En lärande gemenskap växer inte fram ur en projektplan som behöver stöd, utan ur invånarnas gemensamma "
        "engagemang i en fråga och deras önskan om förändring. Kommunen stöttar med organisering och "
        "kommunikation.\n\n"
        "Gemenskapen består av en grupp aktiva tänkare och görare från kommunen som träffas regelbundet. De väljer "
        "en fråga som alla har ett intresse i och spånar tillsammans kring idéer och lösningar på de problem som "
        "hänger ihop med den.\n\n"
        "Gruppen är ingen engångsinsats utan arbetar långsiktigt med sin fråga. Metoden är tänkt så att en lärande "
        "gemenskap inspirerar andra invånare att starta en egen. Den spridningen ska leda till att antalet lärande "
        "gemenskaper kring olika frågor växer, så att kunskapen ökar och allt mer kan tas om hand."
    ),
    "results": (
        "En lärande gemenskap fyller flera syften. För det första stärker den invånarnas egen kraft. För det andra "
        "stärks den sociala sammanhållningen när invånare tillsammans tar sig an lokala frågor. För det tredje "
        "kastar den nytt ljus över lokala frågor och lyfter nya frågor till dagordningen."
    ),
    "in_practice": (
        "Metoden har använts i kommunen Hellendoorn i Nederländerna. Kommunen såg den lärande gemenskapen som en "
        "möjlighet att förbättra samspelet med civilsamhällets organisationer och invånarna – inte utifrån en "
        "hierarki eller ett beroendeförhållande, utan som jämlikar. Gemenskapen inriktades på att utveckla "
        "hållbara former av samarbete och arbetssätt som passar dem."
    ),
}

CO_LOKALT_NL = {
    "problem": (
        "Veel mensen die actief willen bijdragen aan de ontwikkeling van de samenleving merken dat niet alle "
        "burgers betrokken worden bij het vormgeven van de voorwaarden van de democratie. Voor een gelijkwaardiger "
        "samenleving zijn effectieve middelen nodig om je in je eigen buurt in te zetten en verandering van onderop "
        "op gang te brengen."
    ),
    "context": (
        "In de buitenwijken van Göteborg organiseren mensen zich rond wonen, verkiezingen en school. De "
        "organisaties werken in wijken waar jongeren minder kansen hebben om hun leefomstandigheden te beïnvloeden, "
        "zoals ook het Zweedse rapport over de gevolgen van segregatie voor jongeren laat zien. Tillsammans Hjällbo "
        "organiseert zich tegen een gentrificatieproces waarin bewoners worden weggedrukt."
    ),
    "organisers": (
        "Het opleidingsprogramma en de proefactiviteiten worden uitgevoerd door Digidem Lab, samen met de lokale "
        "organisaties Navet i Bergsjön, Tillsammans Hjällbo en Agera Göteborg (Tynnered). Digidem Lab werkt ook "
        "samen met Rädda Barnen en het bisdom Göteborg. Het project wordt gefinancierd door Allas Röster, een "
        "programma van Postkodstiftelsen."
    ),
    "involvement": (
        "Ervaren organisers komen samen voor casestudy's en workshops op gevorderd niveau en helpen een nieuwe "
        "generatie lokale leiders op te leiden in Tynnered, Bergsjön en Hjällbo."
    ),
    "what_happened": (
        "Voor het eerst in Zweden wordt een verdiepende opleiding aangeboden in Community Organising, een "
        "internationaal beproefde set methoden. De opleiding wil het maatschappelijk middenveld beter toerusten om "
        "lokaal verandering te brengen in kwetsbare wijken."
    ),
    "lessons": (
        "Lokaal organiseren is een kennisgebied dat vaak over het hoofd wordt gezien. Community Organising heeft "
        "heldere begrippen en methoden die elders zijn beproefd, en is een goed vertrekpunt voor opleidingen in "
        "organiseren."
    ),
    "cross_border": (
        "Digidem Lab heeft internationaal met Community Organising gewerkt, onder meer met trainingen voor "
        "gemeenteambtenaren in Colombia en een participatieve begroting in New York. Navet i Bergsjön liet zich "
        "inspireren door de resultaten in het Verenigd Koninkrijk."
    ),
}

TOP_SECTORS_SV = {
    "problem": (
        "I färdplanen för humankapital i toppsektorerna 2020–2023 kom Nederländernas tio toppsektorer överens om "
        "att förverkliga 100 lärande gemenskaper under 2023. I dem stärker företag, kunskapsinstitutioner, "
        "civilsamhällets organisationer och myndigheter varandra och knyter ihop arbete, lärande, innovation och "
        "forskning."
    ),
    "context": (
        "Lärande gemenskap är ett relativt nytt begrepp som toppsektorerna introducerade 2016. Nätverket Lerende "
        "Gemeenschappen, ett initiativ från toppsektorerna och forskningsrådet NWO som leds av SIA, organet för "
        "tillämpad forskning, samlar och sprider kunskap om det."
    ),
    "what_happened": (
        "I mars 2022 gav nätverket ut ett nationellt positionspapper om lärande gemenskaper och tog fram ett "
        "verktyg för en handlingsanalys, som gör begreppet konkret och hjälper befintliga lärande gemenskaper "
        "vidare.\n\n"
        "Toppsektorn Life Sciences & Health siktar på fyra till sex lärande gemenskaper med rötterna i fältlabb "
        "(GROZzerdammen), där invånare, yrkesverksamma, företagare, forskare, skolor och beslutsfattare arbetar "
        "tillsammans i lokala och regionala nätverk."
    ),
    "lessons": (
        "Kunskapen från fältlabben kan föras över till andra regioner, och lärandet går åt båda hållen: invånare "
        "med egen erfarenhet kan lära yrkesverksamma vad som behövs på plats."
    ),
}

TOP_SECTORS_NL = {
    "problem": (
        "In de Roadmap Human Capital Topsectoren 2020–2023 hebben de tien topsectoren afgesproken om in 2023 100 "
        "lerende gemeenschappen te realiseren, waarin bedrijven, kennisinstellingen, maatschappelijke organisaties "
        "en overheden elkaar versterken en werken, leren, innoveren en onderzoek met elkaar verbinden."
    ),
    "context": (
        "De lerende gemeenschap is een vrij nieuw begrip, dat de topsectoren in 2016 voor het eerst "
        "introduceerden. Het Netwerk Lerende Gemeenschappen, een initiatief van de topsectoren en NWO onder leiding "
        "van Regieorgaan SIA, verzamelt en deelt kennis erover."
    ),
    "what_happened": (
        "In maart 2022 publiceerde het netwerk een landelijke position paper over lerende gemeenschappen en "
        "ontwikkelde het een actiescan, die het begrip handen en voeten geeft en bestaande lerende gemeenschappen "
        "verder helpt.\n\n"
        "De topsector LSH streeft naar vier tot zes lerende gemeenschappen, geworteld in fieldlabs "
        "(GROZzerdammen) waar burgers, professionals, ondernemers, onderzoekers, scholen en beleidsmakers "
        "samenwerken in lokale en regionale netwerken."
    ),
    "lessons": (
        "Kennis uit de fieldlabs is over te dragen naar andere regio's, en dat werkt twee kanten op: burgers die "
        "ervaringsdeskundig zijn, kunnen professionals leren wat er lokaal nodig is."
    ),
}

LEARNING_LAB_SV = {
    "problem": (
        "Mellan april 2022 och september 2023 arbetade Community Organisers, med stöd från The National Lottery "
        "Community Fund, tillsammans med organisationer runt om i Europa i ett Learning Lab för att främja utbyte "
        "och lärande mellan människor som arbetar med community organising."
    ),
    "organisers": (
        "Community Organisers tillsammans med European Community Organisers Network, finansierat av The National "
        "Lottery Community Fund."
    ),
    "involvement": (
        "- Digitala lärandeutbyten mellan medlemmar i båda nätverken\n"
        "- Sex lärandeutbyten på plats mellan organisatörer i olika delar av Europa\n"
        "- Ett europeiskt lärandeutbyte på tre till fyra dagar för att dela idéer och bygga solidaritet"
    ),
    "what_happened": (
        "## Starkare nätverk och relationer\n\nUtbyten digitalt och på plats.\n\n"
        "## En kunskapsbas\n\nFinansiärer och gräsrotsorganisationer möts, och vi visar värdet av att investera "
        "i själva organiseringen (medvetandegörande, konfliktlösning, att bygga tillit och makt) och i det den "
        "leder till (kampanjer, projekt, initiativ).\n\n"
        "## Vägledning och goda exempel\n\nGrupper som agerar tillsammans kring klimatförändringarna, den "
        "digitala klyftan och de stigande levnadskostnaderna får hjälp att dela sitt arbete och samarbeta över "
        "gränserna."
    ),
    "cross_border": "En gemensamt utarbetad utvecklingsstrategi beskriver hur nätverket ska leva vidare.",
}

LEARNING_LAB_NL = {
    "problem": (
        "Tussen april 2022 en september 2023 werkte Community Organisers, met steun van The National Lottery "
        "Community Fund, samen met organisaties in heel Europa aan een Learning Lab om uitwisseling en leren te "
        "bevorderen tussen mensen die aan community organising doen."
    ),
    "organisers": (
        "Community Organisers samen met het European Community Organisers Network, gefinancierd door The National "
        "Lottery Community Fund."
    ),
    "involvement": (
        "- Online leeruitwisselingen tussen leden van beide netwerken\n"
        "- Zes leeruitwisselingen op locatie tussen organisers uit heel Europa\n"
        "- Een Europese leeruitwisseling van drie tot vier dagen om ideeën te delen en solidariteit op te bouwen"
    ),
    "what_happened": (
        "## Netwerken en relaties versterken\n\nUitwisselingen online en op locatie.\n\n"
        "## Een kennisbank opbouwen\n\nFinanciers en basisorganisaties bij elkaar brengen, en laten zien wat het "
        "oplevert om te investeren in het proces van organiseren (bewustwording, conflictoplossing, vertrouwen en "
        "macht opbouwen) en in de resultaten ervan (campagnes, projecten, initiatieven).\n\n"
        "## Goede praktijken\n\nGroepen die samen optrekken rond klimaatverandering, de digitale kloof en de "
        "stijgende kosten van levensonderhoud helpen hun werk te delen en over grenzen heen samen te werken."
    ),
    "cross_border": "Een samen ontwikkelde ontwikkelingsstrategie beschrijft hoe het netwerk blijft voortbestaan.",
}


def _guide(*, slug_hint, author, coordinator, kind, language, title, summary, sections, work_fields, work_m2m):
    existing = Guide.objects.filter(title=title, language=language).first()
    if existing:
        return existing
    guide = services.guide_create(
        user=author,
        kind=kind,
        language=language,
        title=title,
        summary=summary,
        sections=sections,
        work_fields=work_fields,
        work_m2m=work_m2m,
    )
    services.guide_submit(guide=guide, user=author)
    return services.guide_publish(guide=guide, user=coordinator)


def _translation(source, *, author, coordinator, language, title, summary, sections):
    existing = source.work.versions.filter(language=language).first()
    if existing:
        return existing
    guide = services.translation_create(
        source=source, user=author, language=language, title=title, summary=summary, sections=sections
    )
    services.guide_submit(guide=guide, user=author)
    return services.guide_publish(guide=guide, user=coordinator)


def seed_demo(*, stdout) -> None:
    coordinator = _user("coordinator@example.org", Role.COORDINATOR, "Malin", "Widehammar")
    organiser = _user("organiser@example.org", Role.ORGANISER, "Anna", "Göransson")
    # The Swedish versions are the organiser's (who speaks Swedish); the Dutch ones a Dutch member's
    # from the network seed, when there is one.
    dutch_translator = User.objects.filter(email=DUTCH_TRANSLATOR).first() or organiser
    orgs = {name: _organisation(name) for name, *_rest in ORGANISATIONS}

    lerende = _guide(
        slug_hint="lerende-gemeenschap",
        author=organiser,
        coordinator=coordinator,
        kind="method",
        language="nl",
        title="Lerende Gemeenschap",
        summary="Een groep burgers die op de lange termijn kennis uitwisselt om een gedeeld vraagstuk aan te pakken.",
        sections=LERENDE_GEMEENSCHAP_NL,
        work_fields={"countries": ["NL"]},
        work_m2m={
            "characteristics": _characteristics(
                "co-production",
                "agenda-setting",
                "policy-making",
                "implementation",
                "citizens-self-reliance",
                "social-cohesion",
                "generating-ideas",
                "participation-collaborate",
                "small-groups",
                "in-person",
            ),
            "themes": [_theme("democracy-participation"), _theme("local-economy")],
            "organisations": [orgs["Gemeente Hellendoorn"]],
        },
    )
    _translation(
        lerende,
        author=organiser,
        coordinator=coordinator,
        language="en",
        title="Learning Community",
        summary="A group of citizens who exchange knowledge over the long term to tackle a shared issue.",
        sections=LERENDE_GEMEENSCHAP_EN,
    )
    _translation(
        lerende,
        author=organiser,
        coordinator=coordinator,
        language="sv",
        title="Lärande gemenskap",
        summary="En grupp invånare som långsiktigt utbyter kunskap för att ta itu med en gemensam fråga.",
        sections=LERENDE_GEMEENSCHAP_SV,
    )
    co_lokalt = _guide(
        slug_hint="community-organising",
        author=organiser,
        coordinator=coordinator,
        kind="case_study",
        language="sv",
        title="Community Organising för lokalt ledarskap",
        summary=(
            "Det organiseras kring bostäder, val och skola i Göteborgs förorter. Nu erbjuds organisatörerna för "
            "första gången en vidareutbildning i lokal organisering."
        ),
        sections=CO_LOKALT_SV,
        work_fields={"countries": ["SE"]},
        work_m2m={
            "characteristics": _characteristics(
                "building-civic-capacity", "influencing-decisions", "participation-empower", "in-person"
            ),
            "themes": [_theme("democracy-participation"), _theme("housing"), _theme("youth")],
            "organisations": [
                orgs[name]
                for name in (
                    "Digidem Lab",
                    "Navet i Bergsjön",
                    "Tillsammans Hjällbo",
                    "Agera Göteborg",
                    "Rädda Barnen",
                    "Göteborgs stift",
                    "Postkodstiftelsen",
                )
            ],
        },
    )
    _translation(
        co_lokalt,
        author=organiser,
        coordinator=coordinator,
        language="en",
        title="Community Organising for local leadership",
        summary=(
            "People organise around housing, elections and schools in Gothenburg's suburbs; now organisers are "
            "offered advanced training in local organising for the first time."
        ),
        sections=CO_LOKALT_EN,
    )
    _translation(
        co_lokalt,
        author=dutch_translator,
        coordinator=coordinator,
        language="nl",
        title="Community Organising voor lokaal leiderschap",
        summary=(
            "In de buitenwijken van Göteborg organiseren mensen zich rond wonen, verkiezingen en school. Nu krijgen "
            "organisers voor het eerst een vervolgopleiding in lokaal organiseren."
        ),
        sections=CO_LOKALT_NL,
    )
    top_sectors = _guide(
        slug_hint="top-sectors",
        author=organiser,
        coordinator=coordinator,
        kind="case_study",
        language="en",
        title="Learning communities in the Dutch Top Sectors",
        summary="A national target of 100 learning communities, a position paper and an action scan tool.",
        sections=TOP_SECTORS_EN,
        work_fields={"countries": ["NL"]},
        work_m2m={
            "characteristics": _characteristics("co-production", "implementation", "evaluation", "medium-groups"),
            "themes": [_theme("education"), _theme("local-economy")],
            "organisations": [orgs["Network Learning Communities"]],
            "related_guides": [lerende.work],
        },
    )
    _translation(
        top_sectors,
        author=organiser,
        coordinator=coordinator,
        language="sv",
        title="Lärande gemenskaper i de nederländska toppsektorerna",
        summary=(
            "Ett nationellt mål om 100 lärande gemenskaper, ett positionspapper och ett verktyg för handlingsanalys."
        ),
        sections=TOP_SECTORS_SV,
    )
    _translation(
        top_sectors,
        author=dutch_translator,
        coordinator=coordinator,
        language="nl",
        title="Lerende gemeenschappen in de topsectoren",
        summary="Een landelijk doel van 100 lerende gemeenschappen, een position paper en een actiescan.",
        sections=TOP_SECTORS_NL,
    )
    lab = _guide(
        slug_hint="learning-lab",
        author=coordinator,
        coordinator=coordinator,
        kind="case_study",
        language="en",
        title="The European Learning Lab for community organising",
        summary="Exchanges, an evidence base and best-practice guidance for organisers across Europe, 2022–2023.",
        sections=LEARNING_LAB_EN,
        work_fields={"countries": ["GB", "BE", "SE", "NL"]},
        work_m2m={
            "characteristics": _characteristics("building-civic-capacity", "online", "in-person", "large-groups"),
            "themes": [_theme("climate-change"), _theme("digital-divide"), _theme("cost-of-living")],
            "organisations": [
                orgs["Community Organisers"],
                orgs["European Community Organisers Network"],
                orgs["National Lottery Community Fund"],
            ],
            "related_guides": [co_lokalt.work, top_sectors.work],
        },
    )
    _translation(
        lab,
        author=organiser,
        coordinator=coordinator,
        language="sv",
        title="Det europeiska Learning Lab för community organising",
        summary=("Utbyten, en kunskapsbas och vägledning med goda exempel för organisatörer i hela Europa, 2022–2023."),
        sections=LEARNING_LAB_SV,
    )
    _translation(
        lab,
        author=dutch_translator,
        coordinator=coordinator,
        language="nl",
        title="Het Europese Learning Lab voor community organising",
        summary="Uitwisselingen, een kennisbank en goede praktijken voor organisers in heel Europa, 2022–2023.",
        sections=LEARNING_LAB_NL,
    )

    actions = [
        (
            "Warm homes across borders",
            "climate-change",
            "Tenants in Gothenburg and Hellendoorn compare how they win insulation and lower energy bills.",
            [("Navet i Bergsjön", "lead"), ("Gemeente Hellendoorn", "partner"), ("Community Organisers", "ally")],
            ["First shared call between tenant groups.", "A joint list of demands for landlords is drafted."],
            "en",
        ),
        (
            "Closing the digital divide together",
            "digital-divide",
            "Digital help desks run by neighbours, with a shared guide in Swedish, Dutch and English.",
            [("Digidem Lab", "lead"), ("Tillsammans Hjällbo", "partner"), ("Network Learning Communities", "ally")],
            ["Help desks open in Hjällbo.", "Translated the help-desk guide into Dutch."],
            "en",
        ),
        (
            "Cost of living: organising for fair prices",
            "cost-of-living",
            "Groups in England, Sweden and Belgium share tactics for campaigns on food and rent prices.",
            [
                ("Community Organisers", "lead"),
                ("Agera Göteborg", "partner"),
                ("European Community Organisers Network", "partner"),
            ],
            ["Listening campaign results shared.", "Cross-border online exchange held."],
            "en",
        ),
        # Joint actions are written in one language: this one by Dutch and Flemish groups, in Dutch.
        (
            "Samen warm de winter door",
            "climate-change",
            "Buurtgroepen uit Utrecht, Gent en Nijverdal delen hoe ze samen isoleren en energiearmoede aanpakken.",
            [("Klimaatbuurt Utrecht", "lead"), ("Buurtwerk Gent", "partner"), ("Buurtkracht Nijverdal", "partner")],
            [
                "Eerste online uitwisseling tussen de drie buurtgroepen.",
                "Een gezamenlijke checklist voor een isolatieactie in de straat is klaar.",
            ],
            "nl",
        ),
    ]
    today = timezone.localdate()
    for title, theme_slug, summary, participants, updates, language in actions:
        slug = slugify(title)
        if JointAction.objects.filter(slug=slug).exists():
            continue
        action = services.joint_action_create(
            user=coordinator,
            title=title,
            issue=_theme(theme_slug),
            summary=summary,
            description=summary,
            language=language,
            status=JointAction.Status.ACTIVE,
            participants=[(orgs[name], role) for name, role in participants],
            started_on=today - dt.timedelta(days=120),
        )
        action.guides.add(lab.work, lerende.work)
        for offset, text in enumerate(updates):
            services.joint_action_update_add(
                action=action, user=coordinator, text=text, date=today - dt.timedelta(days=60 - 30 * offset)
            )
    stdout.write("practice: demo guides (in English, Swedish and Dutch) and joint actions ready.")


# --- Bench -----------------------------------------------------------------------------------

WORDS = {
    "en": [
        "community",
        "organising",
        "neighbours",
        "tenants",
        "housing",
        "climate",
        "energy",
        "meeting",
        "listening",
        "campaign",
        "power",
        "trust",
        "leaders",
        "training",
        "workshop",
        "local",
        "municipality",
        "youth",
        "school",
        "food",
        "prices",
        "rent",
        "digital",
        "skills",
        "library",
        "volunteers",
        "action",
        "research",
        "story",
        "change",
        "network",
        "exchange",
        "learning",
        "method",
        "case",
    ],
    "sv": [
        "organisering",
        "grannar",
        "hyresgäster",
        "bostäder",
        "klimat",
        "energi",
        "möte",
        "lyssnande",
        "kampanj",
        "makt",
        "förtroende",
        "ledare",
        "utbildning",
        "verkstad",
        "kommun",
        "unga",
        "skola",
        "matpriser",
        "hyra",
        "digitala",
        "färdigheter",
        "bibliotek",
        "volontärer",
        "förändring",
        "nätverk",
        "lärande",
        "metod",
        "förorter",
        "organisationerna",
    ],
    "nl": [
        "buurtbewoners",
        "huurders",
        "wonen",
        "klimaat",
        "energie",
        "bijeenkomst",
        "luisteren",
        "campagne",
        "macht",
        "vertrouwen",
        "leiders",
        "training",
        "werkplaats",
        "gemeente",
        "jongeren",
        "school",
        "voedselprijzen",
        "huur",
        "digitale",
        "vaardigheden",
        "bibliotheek",
        "vrijwilligers",
        "verandering",
        "netwerk",
        "leren",
        "methode",
        "gemeenschap",
        "burgers",
    ],
}
RARE_WORD = "zwerfvuilcoalitie"


def bench_arguments(parser) -> None:
    parser.add_argument("--practice-guides", type=int, default=5000, help="Guides to create (practice).")
    parser.add_argument("--practice-joint-actions", type=int, default=1000, help="Joint actions (practice).")


def _text(rng: random.Random, language: str, n: int) -> str:
    return " ".join(rng.choice(WORDS[language]) for _i in range(n))


@transaction.atomic
def seed_bench(*, options, stdout) -> None:
    rng = random.Random(42)  # noqa: S311 — synthetic data.
    n_guides = options.get("practice_guides", 5000)
    n_actions = options.get("practice_joint_actions", 1000)
    # Idempotent: replace the previous bench rows.
    SearchEntry.objects.filter(kind="guide", object_id__in=Guide.objects.filter(slug__startswith="bench-")).delete()
    GuideWork.objects.filter(versions__slug__startswith="bench-").delete()
    SearchEntry.objects.filter(
        kind="joint_action", object_id__in=JointAction.objects.filter(slug__startswith="bench-")
    ).delete()
    JointAction.objects.filter(slug__startswith="bench-").delete()

    themes = list(Theme.objects.all()) or [_theme("climate-change")]
    characteristics = list(Characteristic.objects.all())
    languages = ["en", "sv", "nl"]
    kinds = ["method", "case_study", "how_to", "tool"]
    countries = ["SE", "NL", "GB", "BE", "DE", "FR", "ES", "IT", "PL", "DK"]
    now = timezone.now()

    works = GuideWork.objects.bulk_create(
        [
            GuideWork(
                kind=kinds[i % 4],
                original_language=languages[i % 3],
                countries=rng.sample(countries, 2),
                # bulk_create sends no signals: the published state is set here, matching the
                # versions below (every tenth guide stays a draft).
                published_languages=languages[i % 3] if i % 10 else "",
                published_at=now - dt.timedelta(minutes=i) if i % 10 else None,
            )
            for i in range(n_guides)
        ],
        batch_size=1000,
    )
    guides = []
    for i, work in enumerate(works):
        language = work.original_language
        title = _text(rng, language, 4).capitalize()
        if i % 1000 == 7:
            title = f"{title} {RARE_WORD}"
        sections = {"what": _text(rng, language, 40), "how": _text(rng, language, 120)}
        if i % 10 == 0:
            sections["what"] += " community organising"
        guides.append(
            Guide(
                work=work,
                language=language,
                title=title,
                slug=f"bench-{i}-{language}",
                summary=_text(rng, language, 15),
                sections=sections,
                status=Guide.Status.PUBLISHED if i % 10 else Guide.Status.DRAFT,
                published_at=now - dt.timedelta(minutes=i) if i % 10 else None,
                reviewed_at=now - dt.timedelta(minutes=i),
                source_version=1,
            )
        )
    guides = Guide.objects.bulk_create(guides, batch_size=1000)
    GuideRevision.objects.bulk_create(
        [
            GuideRevision(guide=g, number=1, title=g.title, summary=g.summary, sections=g.sections, status=g.status)
            for g in guides
        ],
        batch_size=1000,
    )
    ThemeLink = GuideWork.themes.through
    ThemeLink.objects.bulk_create(
        [ThemeLink(guidework_id=w.pk, theme_id=rng.choice(themes).pk) for w in works], batch_size=2000
    )
    CharLink = GuideWork.characteristics.through
    links = []
    for w in works:
        for c in rng.sample(characteristics, 3):
            links.append(CharLink(guidework_id=w.pk, characteristic_id=c.pk))
    CharLink.objects.bulk_create(links, batch_size=5000)
    theme_of = {link.guidework_id: link.theme_id for link in ThemeLink.objects.filter(guidework__in=works)}
    theme_slug = {t.pk: t.slug for t in themes}

    organisations = list(Organisation.objects.order_by("pk")[: scaled(options, 200)])
    if len(organisations) < 20:
        organisations += Organisation.objects.bulk_create(
            [
                Organisation(name=f"Bench group {i}", slug=f"bench-group-{i}", country=countries[i % 10])
                for i in range(20)
            ]
        )
    actions = JointAction.objects.bulk_create(
        [
            JointAction(
                title=f"{_text(rng, 'en', 3).capitalize()} across borders",
                slug=f"bench-action-{i}",
                issue=rng.choice(themes),
                summary=_text(rng, "en", 20),
                description=_text(rng, "en", 80),
                status=JointAction.Status.ACTIVE,
                language="en",
            )
            for i in range(n_actions)
        ],
        batch_size=1000,
    )
    participations, updates = [], []
    for action in actions:
        for org in rng.sample(organisations, 3):
            participations.append(
                Participation(joint_action=action, organisation=org, role=rng.choice(["lead", "partner", "ally"]))
            )
        for k in range(2):
            updates.append(
                JointActionUpdate(
                    joint_action=action, date=now.date() - dt.timedelta(days=k * 14), text=_text(rng, "en", 12)
                )
            )
    Participation.objects.bulk_create(participations, batch_size=2000)
    JointActionUpdate.objects.bulk_create(updates, batch_size=2000)
    org_country = {o.pk: o.country.code for o in organisations}
    action_countries: dict[int, set] = {}
    for p in participations:
        action_countries.setdefault(p.joint_action_id, set()).add(org_country.get(p.organisation_id, ""))

    entries = [
        SearchEntry(
            kind="guide",
            object_id=g.pk,
            language=g.language,
            config=searchindex.config_for(g.language),
            title=g.title,
            summary=g.summary,
            body=g.plain_text(),
            url=f"/practice/guides/{g.slug}/",
            themes=[theme_slug[theme_of[g.work_id]]] if g.work_id in theme_of else [],
            countries=list(g.work.countries and [c.code for c in g.work.countries]),
        )
        for g in guides
    ] + [
        SearchEntry(
            kind="joint_action",
            object_id=a.pk,
            language="en",
            config=searchindex.config_for("en"),
            title=a.title,
            summary=a.summary,
            body=a.description,
            url=f"/practice/joint-actions/{a.slug}/",
            themes=[a.issue.slug],
            countries=sorted(c for c in action_countries.get(a.pk, ()) if c),
        )
        for a in actions
    ]
    SearchEntry.objects.bulk_create(entries, batch_size=1000)
    # One UPDATE builds every new vector.
    searchindex.update_vectors(SearchEntry.objects.filter(vector__isnull=True))
    # Bulk inserts send no signals: the cached practice pages must not outlive them.
    cache.changed(NAMESPACE)
    stdout.write(f"practice: {len(guides)} guides, {len(actions)} joint actions, {len(entries)} search entries.")
