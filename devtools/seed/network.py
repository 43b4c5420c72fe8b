"""Demo and bench data for the network: organisations, members, the three demo logins.

``seed_demo`` builds a believable network from the seeds (/work/shared/seeds): the
organisations they name and others across Europe. Idempotent: rows are found by slug
or email and brought to the described state. ``seed_bench`` bulk-inserts a large
synthetic network for ``make bench``.
"""

from __future__ import annotations

import random
from datetime import date
from importlib import import_module

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.utils import timezone
from django.utils.text import slugify

from core import cache
from devtools.seed import pictures
from devtools.seed.copy import copy_rows
from network.models import Member, Membership, Organisation, Role, Theme, User

DEMO_PASSWORD = "learninglab"  # noqa: S105 — documented demo password, seed_demo refuses to run in production.

ECON = "European Community Organisers Network"
GOTHENBURG = "Community Organising för lokalt ledarskap"
HELLENDOORN = "Lerende Gemeenschap Hellendoorn"

# name: (kind, country, city, founded, themes, networks, description)
ORGANISATIONS: dict[str, tuple] = {
    ECON: (
        "network", "DE", "Berlin", 2016, ["democracy-participation", "climate-change", "cost-of-living"], [],
        "A network of community organising organisations across Europe: exchanges, training and joint action.",
    ),
    GOTHENBURG: (
        "network", "SE", "Göteborg", 2022, ["democracy-participation", "youth", "housing"], [ECON],
        "Training programme and network for local leadership in Tynnered, Bergsjön and Hjällbo.",
    ),
    HELLENDOORN: (
        "network", "NL", "Nijverdal", 2019, ["democracy-participation", "local-economy"], [],
        "A learning community of residents, partners and the municipality of Hellendoorn.",
    ),
    "Community Organisers": (
        "community_organising", "GB", "London", 2011, ["democracy-participation", "cost-of-living"], [ECON],
        "The national body for community organising in England; it started the European Learning Lab.",
    ),
    "Digidem Lab": (
        "community_organising", "SE", "Göteborg", 2015, ["democracy-participation", "digital-divide", "youth"],
        [ECON, GOTHENBURG],
        "Participatory democracy and community organising; runs the training for local leadership in Gothenburg.",
    ),
    "Navet i Bergsjön": (
        "grassroots", "SE", "Göteborg", 2010, ["youth", "education"], [GOTHENBURG],
        "A meeting place and association in Bergsjön.",
    ),
    "Tillsammans Hjällbo": (
        "grassroots", "SE", "Göteborg", 2021, ["housing", "democracy-participation"], [GOTHENBURG],
        "Residents of Hjällbo organising against being pushed out by gentrification.",
    ),
    "Agera Göteborg": (
        "grassroots", "SE", "Göteborg", 2019, ["youth", "democracy-participation"], [GOTHENBURG],
        "Young people organising in Tynnered.",
    ),
    "Rädda Barnen": ("other", "SE", "Stockholm", 1919, ["youth", "migration"], [GOTHENBURG], ""),
    "Göteborgs stift": ("other", "SE", "Göteborg", None, ["health", "migration"], [GOTHENBURG], ""),
    "Postkodstiftelsen": (
        "funder", "SE", "Stockholm", 2007, ["democracy-participation", "climate-change"], [],
        "Funds the programme Allas Röster, including community organising for local leadership.",
    ),
    "The National Lottery Community Fund": (
        "funder", "GB", "London", 1994, ["cost-of-living", "health"], [], "Supports the European Learning Lab.",
    ),
    "Gemeente Hellendoorn": (
        "public_body", "NL", "Nijverdal", 1811, ["democracy-participation", "local-economy"], [HELLENDOORN],
        "The municipality that tried the learning community method with residents and partners.",
    ),
    "Buurtkracht Nijverdal": ("grassroots", "NL", "Nijverdal", 2018, ["local-economy", "health"], [HELLENDOORN], ""),
    "Huurdersvereniging Rotterdam-Zuid": ("grassroots", "NL", "Rotterdam", 2004, ["housing", "cost-of-living"], [], ""),
    "Universiteit Twente": ("research", "NL", "Enschede", 1961, ["education", "digital-divide"], [HELLENDOORN], ""),
    "Göteborgs universitet": ("research", "SE", "Göteborg", 1891, ["education", "migration"], [], ""),
    "Forum Community Organizing": (
        "community_organising", "DE", "Berlin", 2006, ["democracy-participation", "housing"], [ECON], "",
    ),
    "Nachbarschaftsrat Wedding": ("grassroots", "DE", "Berlin", 2017, ["housing", "cost-of-living"], [], ""),
    "Stiftung Nachbarschaft Hamburg": ("funder", "DE", "Hamburg", 2001, ["local-economy", "youth"], [], ""),
    "Sąsiedzka Warszawa": ("grassroots", "PL", "Warszawa", 2014, ["housing", "climate-change"], [], ""),
    "Centrum Organizowania Społeczności": (
        "community_organising", "PL", "Kraków", 2009, ["democracy-participation", "education"], [ECON], "",
    ),
    "Barrios Unidos Madrid": ("grassroots", "ES", "Madrid", 2012, ["housing", "migration"], [], ""),
    "Plataforma Vecinal del Raval": ("grassroots", "ES", "Barcelona", 2015, ["housing", "cost-of-living"], [], ""),
    "Rete di Quartiere Torino": ("grassroots", "IT", "Torino", 2013, ["climate-change", "local-economy"], [], ""),
    "Organizzare Comunità Napoli": (
        "community_organising", "IT", "Napoli", 2016, ["youth", "democracy-participation"], [ECON], "",
    ),
    "Alliance Citoyenne": (
        "community_organising", "FR", "Grenoble", 2012, ["housing", "cost-of-living"], [ECON], "",
    ),
    "Voisins Solidaires Lille": ("grassroots", "FR", "Lille", 2018, ["cost-of-living", "health"], [], ""),
    "Buurtwerk Gent": ("grassroots", "BE", "Gent", 2011, ["migration", "digital-divide"], [], ""),
    "Comunitatea Activă Cluj": ("grassroots", "RO", "Cluj-Napoca", 2016, ["youth", "digital-divide"], [ECON], ""),
    "Dublin Tenants Together": ("grassroots", "IE", "Dublin", 2019, ["housing", "cost-of-living"], [], ""),
    "Tenants Together Bristol": ("grassroots", "GB", "Bristol", 2020, ["housing", "climate-change"], [], ""),
    "Lisboa em Comum": ("grassroots", "PT", "Lisboa", 2017, ["climate-change", "housing"], [], ""),
    "Klimaatbuurt Utrecht": ("grassroots", "NL", "Utrecht", 2021, ["climate-change", "local-economy"], [], ""),
}  # fmt: skip

# What organisations say about themselves, in the language they would write it in; this
# overrides the descriptions above.
DESCRIPTIONS: dict[str, str] = {
    GOTHENBURG: (
        "Utbildningsprogram och nätverk för lokalt ledarskap i Tynnered, Bergsjön och Hjällbo, med stöd av "
        "Postkodstiftelsens satsning Allas Röster."
    ),
    HELLENDOORN: (
        "Een lerende gemeenschap van inwoners, maatschappelijke partners en de gemeente Hellendoorn, die samen "
        "werken aan vraagstukken in de dorpen."
    ),
    "Digidem Lab": (
        "Deltagande demokrati och community organising. Vi håller i utbildningen för lokalt ledarskap i Göteborg "
        "och utvecklar digitala verktyg för medborgardialog."
    ),
    "Navet i Bergsjön": "Mötesplats och förening i Bergsjön: läxhjälp, fritidsverksamhet och föräldragrupper.",
    "Tillsammans Hjällbo": "Boende i Hjällbo som organiserar sig mot att trängas undan av gentrifieringen.",
    "Agera Göteborg": "Unga som organiserar sig i Tynnered för ett bättre område och en röst i politiken.",
    "Rädda Barnen": "Barnrättsorganisation som stöder barns och ungas eget inflytande, också i Göteborgs förorter.",
    "Göteborgs stift": "Svenska kyrkans stift i Göteborg; församlingarna öppnar sina lokaler för grannskapsarbete.",
    "Postkodstiftelsen": (
        "Finansierar programmet Allas Röster, som bland annat stöder community organising för lokalt ledarskap."
    ),
    "Göteborgs universitet": "Forskning om civilsamhälle, segregation och lärande; följer utbildningsprogrammet.",
    "Gemeente Hellendoorn": (
        "De gemeente die met inwoners en partners de methode van de Lerende Gemeenschap heeft uitgeprobeerd."
    ),
    "Buurtkracht Nijverdal": "Bewoners en ondernemers in Nijverdal die samen kleine buurtinitiatieven starten.",
    "Huurdersvereniging Rotterdam-Zuid": "Huurders in Rotterdam-Zuid, samen voor betaalbare huren en goed onderhoud.",
    "Universiteit Twente": "Onderzoek naar lerende gemeenschappen, coproductie en de digitale kloof.",
    "Klimaatbuurt Utrecht": "Buren in Utrecht die samen isoleren, energie besparen en hun straat vergroenen.",
    "Buurtwerk Gent": "Opbouwwerk in Gent met nieuwkomers, rond wonen en de digitale kloof.",
    "Forum Community Organizing": "Network and training for community organising in Germany since 2006.",
    "Nachbarschaftsrat Wedding": "Tenants, parents and shop owners in Berlin-Wedding organising on rents and prices.",
    "Stiftung Nachbarschaft Hamburg": "A foundation funding neighbourhood economies and youth projects in Hamburg.",
    "Sąsiedzka Warszawa": "Neighbours in Warsaw organising for tenants' rights and green courtyards.",
    "Centrum Organizowania Społeczności": "Training and support for community organisers across Poland since 2009.",
    "Barrios Unidos Madrid": "Migrant families and neighbours in Madrid organising on housing and public services.",
    "Plataforma Vecinal del Raval": "A neighbours' platform in Barcelona's Raval organising against evictions.",
    "Rete di Quartiere Torino": "Neighbourhood groups in Turin: gardens, repair cafés and energy cooperatives.",
    "Organizzare Comunità Napoli": "Community organising with young people in the neighbourhoods of Naples.",
    "Alliance Citoyenne": "Citizens' alliance building tenants' unions and winning repairs through collective action.",
    "Voisins Solidaires Lille": "Neighbours in Lille organising food solidarity and fair prices.",
    "Comunitatea Activă Cluj": "Young people and older neighbours in Cluj-Napoca closing the digital divide together.",
    "Dublin Tenants Together": "Tenants in Dublin organising for secure, affordable homes.",
    "Tenants Together Bristol": "Tenants in Bristol organising for warm, safe and affordable homes.",
    "Lisboa em Comum": "Neighbours in Lisbon organising for affordable housing and cooler, greener streets.",
}

# (respondent group, display name, email local part, city, themes, organisation, role, since year)
HELLENDOORN_RESPONDENTS: list[tuple] = [
    ("organiser", "Anouk Mulder", "anouk.mulder", "Nijverdal", ["democracy-participation"],
     HELLENDOORN, "organiser", 2019),
    ("organiser", "Ruben Kamphuis", "ruben.kamphuis", "Hellendoorn", ["local-economy"], HELLENDOORN, "organiser", 2020),
    ("organiser", "Charlotte Nijenhuis", "charlotte.nijenhuis", "Nijverdal", ["youth", "education"],
     HELLENDOORN, "leader", 2019),
    ("resident", "Gerrit Wolters", "gerrit.wolters", "Haarle", ["local-economy", "health"],
     "Buurtkracht Nijverdal", "member", 2018),
    ("resident", "Ilse Brinkman", "ilse.brinkman", "Nijverdal", ["health", "cost-of-living"],
     "Buurtkracht Nijverdal", "volunteer", 2021),
    ("resident", "Floor Hendriks", "floor.hendriks", "Daarle", ["climate-change"],
     "Buurtkracht Nijverdal", "member", 2022),
    ("partner", "Gijs Haverkamp", "gijs.haverkamp", "Enschede", ["education", "digital-divide"],
     "Universiteit Twente", "staff", 2014),
    ("official", "Hanneke Lubbers", "hanneke.lubbers", "Nijverdal", ["democracy-participation"],
     "Gemeente Hellendoorn", "staff", 2012),
]  # fmt: skip

# (display name, email local part, country, city, languages, visibility, preferred, time zone, themes,
#  [(organisation, role, since year)])
MEMBERS: list[tuple] = [
    ("Sara Lindqvist", "sara.lindqvist", "SE", "Göteborg", ["sv", "en"], "public", "sv", "Europe/Stockholm",
     ["democracy-participation"], [("Digidem Lab", "organiser", 2018)]),
    ("Hodan Ali", "hodan.ali", "SE", "Göteborg", ["so", "sv", "en"], "members", "sv", "Europe/Stockholm",
     ["housing"], [("Tillsammans Hjällbo", "leader", 2021)]),
    ("Yusuf Mohamed", "yusuf.mohamed", "SE", "Göteborg", ["so", "ar", "sv"], "members", "sv", "Europe/Stockholm",
     ["housing", "youth"], [("Tillsammans Hjällbo", "organiser", 2021)]),
    ("Elin Berg", "elin.berg", "SE", "Göteborg", ["sv", "en"], "public", "sv", "Europe/Stockholm",
     ["youth", "education"], [("Navet i Bergsjön", "staff", 2016), ("Tillsammans Hjällbo", "volunteer", None)]),
    ("Mateo Rivas", "mateo.rivas", "SE", "Göteborg", ["es", "sv", "en"], "members", "sv", "Europe/Stockholm",
     ["youth"], [("Agera Göteborg", "organiser", 2020)]),
    ("Leila Karimi", "leila.karimi", "SE", "Göteborg", ["fa", "sv", "en"], "hidden", "sv", "Europe/Stockholm",
     ["migration"], [("Agera Göteborg", "volunteer", 2022)]),
    ("Johan Ek", "johan.ek", "SE", "Stockholm", ["sv", "en", "de"], "members", "sv", "Europe/Stockholm",
     ["youth", "migration"], [("Rädda Barnen", "staff", 2015)]),
    ("Karin Holm", "karin.holm", "SE", "Göteborg", ["sv", "en"], "members", "sv", "Europe/Stockholm",
     ["health"], [("Göteborgs stift", "staff", 2012)]),
    ("Anders Nyström", "anders.nystrom", "SE", "Göteborg", ["sv", "en", "fi"], "public", "en", "Europe/Stockholm",
     ["education"], [("Göteborgs universitet", "staff", 2010)]),
    ("Fatima Yilmaz", "fatima.yilmaz", "SE", "Göteborg", ["tr", "ku", "sv"], "members", "sv", "Europe/Stockholm",
     ["housing"], [("Tillsammans Hjällbo", "member", 2022)]),
    ("Noor Hassan", "noor.hassan", "SE", "Göteborg", ["ar", "sv", "en"], "public", "en", "Europe/Stockholm",
     ["youth"], [("Navet i Bergsjön", "volunteer", 2019)]),
    ("Olivia Grant", "olivia.grant", "GB", "London", ["en", "fr"], "public", "en", "Europe/London",
     ["democracy-participation", "cost-of-living"], [("Community Organisers", "staff", 2014)]),
    ("Daniel Okafor", "daniel.okafor", "GB", "London", ["en", "ig"], "members", "en", "Europe/London",
     ["cost-of-living"], [("Community Organisers", "organiser", 2017)]),
    ("Rhiannon Price", "rhiannon.price", "GB", "Bristol", ["en", "cy"], "members", "en", "Europe/London",
     ["housing", "climate-change"], [("Tenants Together Bristol", "leader", 2020)]),
    ("Priya Shah", "priya.shah", "GB", "London", ["en", "hi", "ur"], "hidden", "en", "Europe/London",
     ["health"], [("The National Lottery Community Fund", "staff", 2016)]),
    ("Tom Fletcher", "tom.fletcher", "GB", "Bristol", ["en"], "public", "en", "Europe/London",
     ["climate-change"], [("Tenants Together Bristol", "member", 2021)]),
    ("Lotte de Vries", "lotte.devries", "NL", "Nijverdal", ["nl", "en", "de"], "public", "nl", "Europe/Amsterdam",
     ["democracy-participation"], [("Gemeente Hellendoorn", "staff", 2018)]),
    ("Bram Jansen", "bram.jansen", "NL", "Nijverdal", ["nl", "en"], "members", "nl", "Europe/Amsterdam",
     ["local-economy"], [("Buurtkracht Nijverdal", "leader", 2018)]),
    ("Sanne Bakker", "sanne.bakker", "NL", "Rotterdam", ["nl", "en"], "members", "nl", "Europe/Amsterdam",
     ["housing", "cost-of-living"], [("Huurdersvereniging Rotterdam-Zuid", "board", 2015)]),
    ("Mehmet Demir", "mehmet.demir", "NL", "Rotterdam", ["tr", "nl"], "public", "nl", "Europe/Amsterdam",
     ["housing"], [("Huurdersvereniging Rotterdam-Zuid", "organiser", 2019)]),
    ("Eva Visser", "eva.visser", "NL", "Enschede", ["nl", "en", "de"], "members", "en", "Europe/Amsterdam",
     ["education"], [("Universiteit Twente", "staff", 2013)]),
    ("Daan Smit", "daan.smit", "NL", "Utrecht", ["nl", "en"], "hidden", "nl", "Europe/Amsterdam",
     ["climate-change"], [("Klimaatbuurt Utrecht", "organiser", 2021)]),
    ("Jana Schulz", "jana.schulz", "DE", "Berlin", ["de", "en", "pl"], "public", "en", "Europe/Berlin",
     ["democracy-participation"], [(ECON, "staff", 2017), ("Forum Community Organizing", "member", 2012)]),
    ("Lukas Weber", "lukas.weber", "DE", "Berlin", ["de", "en"], "members", "en", "Europe/Berlin",
     ["housing"], [("Forum Community Organizing", "organiser", 2014)]),
    ("Aylin Kaya", "aylin.kaya", "DE", "Berlin", ["de", "tr", "en"], "members", "en", "Europe/Berlin",
     ["housing", "cost-of-living"], [("Nachbarschaftsrat Wedding", "leader", 2017)]),
    ("Felix Hoffmann", "felix.hoffmann", "DE", "Hamburg", ["de", "en"], "members", "en", "Europe/Berlin",
     ["local-economy"], [("Stiftung Nachbarschaft Hamburg", "staff", 2019)]),
    ("Agnieszka Nowak", "agnieszka.nowak", "PL", "Kraków", ["pl", "en"], "public", "en", "Europe/Warsaw",
     ["democracy-participation", "education"], [("Centrum Organizowania Społeczności", "leader", 2010)]),
    ("Piotr Kowalski", "piotr.kowalski", "PL", "Warszawa", ["pl", "en", "uk"], "members", "en", "Europe/Warsaw",
     ["housing"], [("Sąsiedzka Warszawa", "organiser", 2016)]),
    ("Olena Shevchenko", "olena.shevchenko", "PL", "Warszawa", ["uk", "pl", "ru"], "members", "en", "Europe/Warsaw",
     ["migration"], [("Sąsiedzka Warszawa", "volunteer", 2022)]),
    ("Lucía Martín", "lucia.martin", "ES", "Madrid", ["es", "en"], "public", "en", "Europe/Madrid",
     ["housing", "migration"], [("Barrios Unidos Madrid", "organiser", 2014)]),
    ("Jordi Puig", "jordi.puig", "ES", "Barcelona", ["ca", "es", "en"], "members", "en", "Europe/Madrid",
     ["housing"], [("Plataforma Vecinal del Raval", "leader", 2015)]),
    ("Amadou Diallo", "amadou.diallo", "ES", "Barcelona", ["fr", "es"], "hidden", "en", "Europe/Madrid",
     ["migration"], [("Plataforma Vecinal del Raval", "member", 2020)]),
    ("Giulia Romano", "giulia.romano", "IT", "Torino", ["it", "en"], "public", "en", "Europe/Rome",
     ["climate-change"], [("Rete di Quartiere Torino", "organiser", 2014)]),
    ("Marco Esposito", "marco.esposito", "IT", "Napoli", ["it", "en", "es"], "members", "en", "Europe/Rome",
     ["youth"], [("Organizzare Comunità Napoli", "leader", 2016)]),
    ("Camille Laurent", "camille.laurent", "FR", "Grenoble", ["fr", "en"], "public", "en", "Europe/Paris",
     ["housing", "cost-of-living"], [("Alliance Citoyenne", "organiser", 2013)]),
    ("Karim Benali", "karim.benali", "FR", "Lille", ["fr", "ar"], "members", "en", "Europe/Paris",
     ["cost-of-living"], [("Voisins Solidaires Lille", "leader", 2018)]),
    ("Lien Peeters", "lien.peeters", "BE", "Gent", ["nl", "fr", "en"], "members", "nl", "Europe/Brussels",
     ["migration", "digital-divide"], [("Buurtwerk Gent", "staff", 2012)]),
    ("Andrei Popescu", "andrei.popescu", "RO", "Cluj-Napoca", ["ro", "hu", "en"], "public", "en", "Europe/Bucharest",
     ["digital-divide"], [("Comunitatea Activă Cluj", "organiser", 2016)]),
    ("Aoife Murphy", "aoife.murphy", "IE", "Dublin", ["en", "ga"], "members", "en", "Europe/Dublin",
     ["housing"], [("Dublin Tenants Together", "organiser", 2019)]),
    ("Inês Costa", "ines.costa", "PT", "Lisboa", ["pt", "en", "es"], "members", "en", "Europe/Lisbon",
     ["climate-change", "housing"], [("Lisboa em Comum", "leader", 2017)]),
    ("Tigist Bekele", "tigist.bekele", "SE", "Göteborg", ["am", "ti", "sv"], "members", "sv", "Europe/Stockholm",
     ["migration"], [("Navet i Bergsjön", "member", 2023)]),
    ("Emma Svensson", "emma.svensson", "SE", "Stockholm", ["sv", "en"], "members", "sv", "Europe/Stockholm",
     ["democracy-participation"], [("Postkodstiftelsen", "staff", 2018)]),
    # Participants of the exchanges (devtools/seed/exchanges.py finds them by email).
    ("Amina Yusuf", "amina.yusuf", "SE", "Göteborg", ["so", "sv", "en"], "members", "sv", "Europe/Stockholm",
     ["housing", "cost-of-living"], [("Tillsammans Hjällbo", "organiser", 2022)]),
    ("Erik Lindqvist", "erik.lindqvist", "SE", "Göteborg", ["sv", "en"], "members", "sv", "Europe/Stockholm",
     ["democracy-participation", "digital-divide"], [("Digidem Lab", "staff", 2019)]),
    ("Sara Haddad", "sara.haddad", "SE", "Göteborg", ["ar", "sv", "en"], "members", "sv", "Europe/Stockholm",
     ["youth", "education"], [("Navet i Bergsjön", "leader", 2020)]),
    ("Johan Berg", "johan.berg", "SE", "Göteborg", ["sv", "en"], "members", "sv", "Europe/Stockholm",
     ["youth"], [("Agera Göteborg", "volunteer", 2021)]),
    ("Anouk de Vries", "anouk.devries", "NL", "Nijverdal", ["nl", "en", "de"], "members", "nl", "Europe/Amsterdam",
     ["democracy-participation", "local-economy"], [("Gemeente Hellendoorn", "staff", 2017)]),
    ("Pieter Jansen", "pieter.jansen", "NL", "Hellendoorn", ["nl", "en"], "members", "nl", "Europe/Amsterdam",
     ["local-economy"], [("Gemeente Hellendoorn", "staff", 2020)]),
    ("Grace Okafor", "grace.okafor", "GB", "London", ["en", "yo"], "members", "en", "Europe/London",
     ["cost-of-living", "health"], [("Community Organisers", "organiser", 2018)]),
    ("Tom Hughes", "tom.hughes", "GB", "Manchester", ["en"], "members", "en", "Europe/London",
     ["democracy-participation"], [("Community Organisers", "staff", 2015)]),
    ("Marta Kowalska", "marta.kowalska", "PL", "Kraków", ["pl", "en", "de"], "members", "en", "Europe/Warsaw",
     ["education", "democracy-participation"], [(ECON, "staff", 2020)]),
    ("Luca Romano", "luca.romano", "IT", "Bologna", ["it", "en", "fr"], "members", "en", "Europe/Rome",
     ["climate-change", "youth"], [(ECON, "board", 2018)]),
    # Respondents of Hellendoorn's self-assessment (devtools/seed/evidence.py finds them by email).
    *[
        (name, local, "NL", city, ["nl", "en"], "members", "nl", "Europe/Amsterdam", themes, [(org, role, since)])
        for _group, name, local, city, themes, org, role, since in HELLENDOORN_RESPONDENTS
    ],
]  # fmt: skip

# Short bios, keyed by the email's local part: written the way members write about themselves,
# in the language they would choose.
BIOS: dict[str, str] = {
    "sara.lindqvist": (
        "Organisatör på Digidem Lab. Jag håller i utbildningen i Community Organising för lokala ledare i "
        "Tynnered, Bergsjön och Hjällbo."
    ),
    "hodan.ali": (
        "Boende i Hjällbo sedan 2009. Jag började knacka dörr när hyrorna skulle höjas efter renoveringen, "
        "och nu leder jag hyresgästgruppen."
    ),
    "yusuf.mohamed": (
        "Organiser with Tillsammans Hjällbo. I run the one-to-ones in the stairwells and help young people take "
        "part in the tenants' meetings."
    ),
    "elin.berg": (
        "Fritidsledare på Navet i Bergsjön och volontär i läxhjälpen i Hjällbo. Intresserad av hur skolan och "
        "föreningslivet kan samarbeta."
    ),
    "mateo.rivas": (
        "Organiser with Agera Göteborg in Tynnered. Before moving to Sweden I organised with neighbourhood "
        "assemblies in Valparaíso."
    ),
    "leila.karimi": "Volontär i Agera Göteborg. Jag tolkar på stormötena och arbetar med nyanlända familjer.",
    "johan.ek": (
        "Works on children's rights at Rädda Barnen and supports young people's own organising in the suburbs "
        "of Stockholm and Gothenburg."
    ),
    "karin.holm": (
        "Diakon i Göteborgs stift. Församlingarna öppnar sina lokaler för grannskapsmöten och jag hjälper till "
        "att knyta kontakterna."
    ),
    "anders.nystrom": (
        "Researcher at the University of Gothenburg on civil society and segregation; follows the training "
        "programme as a critical friend."
    ),
    "fatima.yilmaz": "Medlem i Tillsammans Hjällbo. Jag är med för att mina barn ska få växa upp här.",
    "noor.hassan": (
        "Volunteer at Navet i Bergsjön. I coach the girls' football team and help organise the summer youth forum."
    ),
    "olivia.grant": (
        "Learning and development lead at Community Organisers. I helped start the European Learning Lab and "
        "love a good cross-border exchange."
    ),
    "daniel.okafor": (
        "Community organiser in East London working on the cost of living: food banks, fuel debt and fair "
        "wages in local shops."
    ),
    "rhiannon.price": (
        "Tenant leader in Bristol. We organise for warm, safe homes and push landlords to insulate before winter."
    ),
    "priya.shah": (
        "Funding officer at The National Lottery Community Fund, looking after grants for community-led "
        "projects in London."
    ),
    "tom.fletcher": "New to organising: I joined Tenants Together Bristol after our building's heating failed.",
    "lotte.devries": (
        "Beleidsadviseur participatie bij de gemeente Hellendoorn. Ik ondersteun de Lerende Gemeenschap en "
        "breng ideeën van inwoners naar de raad."
    ),
    "bram.jansen": (
        "Trekker van Buurtkracht Nijverdal. We starten kleine initiatieven met buurtbewoners en lokale ondernemers."
    ),
    "sanne.bakker": (
        "Bestuurslid van de Huurdersvereniging Rotterdam-Zuid. Ik zet me in voor betaalbare huren en goed onderhoud."
    ),
    "mehmet.demir": (
        "Organiser bij de huurdersvereniging in Rotterdam-Zuid. Ik voer de één-op-één gesprekken met nieuwe "
        "huurders, in het Nederlands en in het Turks."
    ),
    "eva.visser": (
        "Researcher at the University of Twente on learning communities and co-production between residents "
        "and municipalities."
    ),
    "daan.smit": "Klimaatorganiser in Utrecht: samen met de buren isoleren, delen en besparen.",
    "jana.schulz": (
        "Coordinator at the European Community Organisers Network in Berlin; I connect organisers across "
        "borders and run the online exchanges."
    ),
    "lukas.weber": (
        "Organiser with Forum Community Organizing, working with tenants in Berlin on rents and evictions."
    ),
    "aylin.kaya": (
        "Leader in the Nachbarschaftsrat Wedding. We bring tenants, parents and shop owners together around "
        "rents and the cost of living."
    ),
    "felix.hoffmann": (
        "Programme manager at Stiftung Nachbarschaft Hamburg, funding neighbourhood economies and youth projects."
    ),
    "agnieszka.nowak": (
        "Trainer at the Centrum Organizowania Społeczności in Kraków; I have trained community organisers "
        "across Poland since 2010."
    ),
    "piotr.kowalski": "Organiser with Sąsiedzka Warszawa: housing, green courtyards and tenants' rights.",
    "olena.shevchenko": (
        "Came to Warsaw from Kharkiv in 2022. I volunteer with Sąsiedzka Warszawa and connect Ukrainian "
        "families with their neighbours."
    ),
    "lucia.martin": (
        "Organiser with Barrios Unidos Madrid, working with migrant families on housing and access to public services."
    ),
    "jordi.puig": "Leader of the Plataforma Vecinal del Raval in Barcelona, organising against evictions since 2015.",
    "amadou.diallo": (
        "Member of the Plataforma Vecinal del Raval; I help newcomers find their way in the neighbourhood."
    ),
    "giulia.romano": (
        "Organiser with the Rete di Quartiere Torino on climate and the local economy: community gardens, "
        "repair cafés and energy cooperatives."
    ),
    "marco.esposito": "Youth leader in Naples. We organise young people to have a say in their neighbourhood.",
    "camille.laurent": (
        "Organiser with the Alliance Citoyenne in Grenoble. We build tenants' unions and win repairs through "
        "collective action."
    ),
    "karim.benali": "Leader of Voisins Solidaires Lille: food solidarity and fair prices in our neighbourhood.",
    "lien.peeters": (
        "Opbouwwerker bij Buurtwerk Gent. Ik werk met nieuwkomers en rond de digitale kloof, met "
        "buurtcomputerklassen in de bibliotheek."
    ),
    "andrei.popescu": (
        "Organiser with Comunitatea Activă Cluj, helping young people and older neighbours get online together."
    ),
    "aoife.murphy": "Organiser with Dublin Tenants Together. Housing is a right, and we organise to make it real.",
    "ines.costa": "Leader with Lisboa em Comum, organising neighbours for affordable housing and cooler streets.",
    "tigist.bekele": "Ny medlem i Navet i Bergsjön. Jag vill hjälpa andra mammor att hitta in i föreningslivet.",
    "emma.svensson": (
        "Handläggare på Postkodstiftelsen för programmet Allas Röster, som stöder lokalt ledarskap och demokrati."
    ),
    "amina.yusuf": (
        "Organisatör i Tillsammans Hjällbo. Jag samordnar hyresgästernas krav och kontakten med bostadsbolaget."
    ),
    "erik.lindqvist": ("Works at Digidem Lab on participatory democracy and digital tools for citizens' assemblies."),
    "sara.haddad": (
        "Ledare på Navet i Bergsjön. Jag gick utbildningen i lokal organisering och leder nu föräldragruppen på skolan."
    ),
    "johan.berg": "Volontär i Agera Göteborg. Jag spelar in podden där unga i Tynnered berättar om sitt område.",
    "anouk.devries": (
        "Wijkcoördinator bij de gemeente Hellendoorn. Ik help bewoners hun ideeën uit te werken en verbind ze "
        "met de juiste mensen op het gemeentehuis."
    ),
    "pieter.jansen": "Economisch adviseur bij de gemeente Hellendoorn, met oog voor lokale ondernemers en de buurt.",
    "grace.okafor": (
        "Community organiser in Peckham, working with faith groups and parents on health and the cost of living."
    ),
    "tom.hughes": "Trainer at Community Organisers. I run the foundation courses in the north of England.",
    "marta.kowalska": (
        "Programme officer at the European Community Organisers Network: training, the learning exchanges and "
        "the evidence base."
    ),
    "luca.romano": (
        "Board member of the European Community Organisers Network; I organise young people around climate "
        "justice in Bologna."
    ),
    "anouk.mulder": (
        "Organiser in de Lerende Gemeenschap Hellendoorn. Ik breng inwoners, verenigingen en de gemeente om één tafel."
    ),
    "ruben.kamphuis": "Ondernemer en organiser in de Lerende Gemeenschap: ik werk aan een sterke lokale economie.",
    "charlotte.nijenhuis": (
        "Trekker van de jongerentafel in de Lerende Gemeenschap Hellendoorn. Jongeren weten zelf het beste wat "
        "ze nodig hebben."
    ),
    "gerrit.wolters": (
        "Bewoner van Haarle en vrijwilliger bij Buurtkracht Nijverdal: koffie, klussen en een luisterend oor."
    ),
    "ilse.brinkman": (
        "Vrijwilliger bij het buurtrestaurant van Buurtkracht Nijverdal. Samen eten maakt de buurt sterker."
    ),
    "floor.hendriks": "Bewoner van Daarle, bezig met zonnepanelen op het dorpshuis en een energiecoöperatie.",
    "gijs.haverkamp": (
        "Onderzoeker aan de Universiteit Twente. Ik volg de Lerende Gemeenschap Hellendoorn en help bij de "
        "zelfevaluatie."
    ),
    "hanneke.lubbers": (
        "Ambtenaar bij de gemeente Hellendoorn voor burgerparticipatie en het raadsvoorstel over bewonersideeën."
    ),
    "coordinator": (
        "Coordinator of the European Learning Lab. I review the guides and the evidence and keep the network's "
        "calendar of exchanges."
    ),
    "organiser": (
        "Organisatör i Tillsammans Hjällbo och medlem i Digidem Lab. Jag organiserar kring bostäder och unga i "
        "Göteborgs nordöstra stadsdelar."
    ),
    "funder": (
        "Programme manager at Postkodstiftelsen. I follow the programmes we fund through their evidence and "
        "joint actions."
    ),
}

# email: (display name, role, country, city, languages, preferred, time zone, themes, memberships)
DEMO_ACCOUNTS: dict[str, tuple] = {
    "coordinator@example.org": (
        "Maria Keller", Role.COORDINATOR, "DE", "Berlin", ["de", "en", "sv"], "en", "Europe/Berlin",
        ["democracy-participation"], [(ECON, "staff", 2019)],
    ),
    "organiser@example.org": (
        "Amina Warsame", Role.ORGANISER, "SE", "Göteborg", ["so", "sv", "en"], "sv", "Europe/Stockholm",
        ["housing", "youth"], [("Tillsammans Hjällbo", "admin", 2021), ("Digidem Lab", "member", 2022)],
    ),
    "funder@example.org": (
        "Erik Johansson", Role.FUNDER, "SE", "Stockholm", ["sv", "en"], "en", "Europe/Stockholm",
        ["democracy-participation", "climate-change"], [("Postkodstiftelsen", "staff", 2016)],
    ),
}  # fmt: skip


def _themes(slugs) -> list[Theme]:
    return list(Theme.objects.filter(slug__in=slugs))


# Earlier demos made the Hellendoorn respondents under these addresses, named "Anouk (demo)" and
# so on: a demo database from before is brought to the described state rather than doubled.
FORMER_EMAILS = {
    f"{local}@example.org": f"hellendoorn.respondent{n}@example.org"
    for n, (_group, _name, local, *_rest) in enumerate(HELLENDOORN_RESPONDENTS, start=1)
}


def _demo_user(*, email: str, password_hash: str, display_name: str) -> User:
    first, _sep, last = display_name.partition(" ")
    user = User.objects.filter(email=email).first()
    if user is None and email in FORMER_EMAILS:
        user = User.objects.filter(email=FORMER_EMAILS[email]).first()
        if user is not None:
            EmailAddress.objects.filter(user=user).delete()
            user.email = email
            user.password = password_hash
            user.save(update_fields=["email", "password"])
    if user is None:
        user = User.objects.create(email=email, first_name=first, last_name=last, password=password_hash)
    elif (user.first_name, user.last_name) != (first, last):
        user.first_name, user.last_name = first, last
        user.save(update_fields=["first_name", "last_name"])
    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


def _profile(
    user, *, display_name, country, city, languages, visibility, preferred, tz, theme_slugs, memberships, orgs
):
    member = user.member
    member.display_name = display_name
    member.bio = BIOS[user.email.partition("@")[0]]
    member.country = country
    member.city = city
    member.languages = languages
    member.visibility = visibility
    member.preferred_language = preferred
    member.time_zone = tz
    member.save()
    member.themes.set(_themes(theme_slugs))
    for org_name, role, since_year in memberships:
        # A year of None is a request to join that waits for the organisation's administrator.
        state = Membership.State.APPROVED if since_year else Membership.State.REQUESTED
        Membership.objects.update_or_create(
            member=member,
            organisation=orgs[org_name],
            defaults={
                "role": role,
                "since": date(since_year, 1, 1) if since_year else None,
                "state": state,
                "requested_at": None if since_year else timezone.now(),
                "message": "" if since_year else "I volunteer at the homework club on Saturdays.",
            },
        )
    return member


def _ensure_themes() -> None:
    """The themes come with migration 0002; bring them back if a flush removed them."""
    themes = import_module("network.migrations.0002_seed_themes").THEMES
    for slug, (en, sv, nl) in themes.items():
        Theme.objects.get_or_create(slug=slug, defaults={"name_en": en, "name_sv": sv, "name_nl": nl})


def seed_demo(*, stdout) -> None:
    _ensure_themes()
    orgs: dict[str, Organisation] = {}
    for name, (kind, country, city, founded, theme_slugs, _networks, description) in ORGANISATIONS.items():
        slug = slugify(name)
        org, _created = Organisation.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "kind": kind,
                "country": country,
                "city": city,
                "founded_year": founded,
                "description": DESCRIPTIONS.get(name, description),
                "contact_email": f"hello@{slug}.example.org",
            },
        )
        org.themes.set(_themes(theme_slugs))
        orgs[name] = org
    for name, spec in ORGANISATIONS.items():
        orgs[name].networks.set([orgs[network] for network in spec[5]])
    stdout.write(f"network: {len(orgs)} organisations")

    # One hash for every demo login: hashing is deliberately slow.
    password_hash = make_password(DEMO_PASSWORD)
    for display_name, local, country, city, languages, visibility, preferred, tz, theme_slugs, memberships in MEMBERS:
        user = _demo_user(email=f"{local}@example.org", password_hash=password_hash, display_name=display_name)
        _profile(
            user,
            display_name=display_name,
            country=country,
            city=city,
            languages=languages,
            visibility=visibility,
            preferred=preferred,
            tz=tz,
            theme_slugs=theme_slugs,
            memberships=memberships,
            orgs=orgs,
        )

    for email, (
        display_name,
        role,
        country,
        city,
        languages,
        preferred,
        tz,
        theme_slugs,
        memberships,
    ) in DEMO_ACCOUNTS.items():
        user = _demo_user(email=email, password_hash=password_hash, display_name=display_name)
        # The demo logins always work with the documented password, even if someone changed it.
        user.password = password_hash
        user.is_staff = role == Role.COORDINATOR
        user.save()
        user.groups.set([Group.objects.get_or_create(name=role)[0]])
        _profile(
            user,
            display_name=display_name,
            country=country,
            city=city,
            languages=languages,
            visibility="members",
            preferred=preferred,
            tz=tz,
            theme_slugs=theme_slugs,
            memberships=memberships,
            orgs=orgs,
        )
    stdout.write(f"network: {len(MEMBERS) + len(DEMO_ACCOUNTS)} members, demo logins: {', '.join(DEMO_ACCOUNTS)}")
    _demo_pictures(orgs)


# A few organisations with a logo and a few members with a photo; everyone else shows initials.
LOGOS = [ECON, GOTHENBURG, "Digidem Lab", "Navet i Bergsjön", "Community Organisers"]
PHOTOS = ["sara.lindqvist@example.org", "hodan.ali@example.org", "organiser@example.org", "coordinator@example.org"]


def _demo_pictures(orgs: dict[str, Organisation]) -> None:
    """Drawn with Pillow (``devtools.seed.pictures``); only where none is set yet, so a
    picture someone uploaded in the demo stays."""
    for name in LOGOS:
        organisation = orgs[name]
        if not organisation.logo:
            organisation.logo = pictures.logo(name)
            organisation.save(update_fields=["logo", "updated_at"])
    for member in Member.objects.filter(user__email__in=PHOTOS, photo=""):
        member.photo = pictures.photo(member.display_name)
        member.save(update_fields=["photo", "updated_at"])


# --- bench -----------------------------------------------------------------------------------

BENCH_DOMAIN = "bench.example.org"
BENCH_ORG_PREFIX = "bench-org-"
BENCH_COUNTRIES = ["SE", "GB", "NL", "DE", "PL", "ES", "IT", "FR", "BE", "RO", "IE", "PT", "AT", "DK", "FI", "CZ"]
BENCH_CITIES = ["Centrum", "Norra", "Södra", "Oost", "West", "Altstadt", "Nord", "Sud", "Riverside", "Hill"]
BENCH_FIRST = ["Anna", "Ali", "Sofia", "Lars", "Fatima", "Jan", "Maria", "Pieter", "Olga", "Ahmed", "Lena", "Marco"]
BENCH_LAST = ["Andersson", "Jansen", "Kowalski", "Rossi", "Müller", "Hassan", "García", "Murphy", "Dubois", "Novak"]
BENCH_LANGUAGES = ["en", "sv", "nl", "de", "pl", "es", "it", "fr", "ar", "so", "tr", "ro", "pt", "fa"]
BENCH_TIMEZONES = ["Europe/Stockholm", "Europe/London", "Europe/Amsterdam", "Europe/Berlin", "Europe/Warsaw"]
BATCH = 2000


def bench_arguments(parser) -> None:
    parser.add_argument("--members", type=int, default=10_000, help="bench members (default 10000)")
    parser.add_argument("--organisations", type=int, default=2_000, help="bench organisations (default 2000)")


def seed_bench(*, options, stdout) -> None:
    """Bulk-insert bench organisations and members; rows already there are kept (by name pattern)."""
    rng = random.Random(20220624)  # noqa: S311 — reproducible synthetic data
    theme_ids = list(Theme.objects.values_list("pk", flat=True))
    orgs = _bench_organisations(options["organisations"], theme_ids, rng, stdout)
    _bench_members(options["members"], orgs, theme_ids, rng, stdout)
    # bulk_create sends no signals: invalidate cached network pages ourselves.
    cache.changed("network")


def _bench_organisations(total: int, theme_ids, rng, stdout) -> list[int]:
    existing = set(Organisation.objects.filter(slug__startswith=BENCH_ORG_PREFIX).values_list("slug", flat=True))
    new = []
    for n in range(1, total + 1):
        slug = f"{BENCH_ORG_PREFIX}{n}"
        if slug in existing:
            continue
        kind = Organisation.Kind.NETWORK if n % 50 == 1 else rng.choice(list(Organisation.Kind.values))
        country = BENCH_COUNTRIES[n % len(BENCH_COUNTRIES)]
        new.append(
            Organisation(
                name=f"Bench organisation {n}",
                slug=slug,
                kind=kind,
                country=country,
                city=rng.choice(BENCH_CITIES),
                founded_year=rng.randint(1950, 2023),
                description="A synthetic organisation for benchmarks.",
                contact_email=f"contact{n}@{BENCH_DOMAIN}",
            )
        )
    created = Organisation.objects.bulk_create(new, batch_size=BATCH)
    ThemeLink = Organisation.themes.through
    ThemeLink.objects.bulk_create(
        [
            ThemeLink(organisation_id=org.pk, theme_id=theme_id)
            for org in created
            for theme_id in rng.sample(theme_ids, k=min(2, len(theme_ids)))
        ],
        batch_size=BATCH,
        ignore_conflicts=True,
    )
    networks = list(
        Organisation.objects.filter(slug__startswith=BENCH_ORG_PREFIX, kind=Organisation.Kind.NETWORK).values_list(
            "pk", flat=True
        )
    )
    NetworkLink = Organisation.networks.through
    if networks:
        NetworkLink.objects.bulk_create(
            [
                NetworkLink(from_organisation_id=org.pk, to_organisation_id=rng.choice(networks))
                for org in created
                if org.kind != Organisation.Kind.NETWORK
            ],
            batch_size=BATCH,
            ignore_conflicts=True,
        )
    stdout.write(f"network: {len(created)} bench organisations added ({len(existing)} were there)")
    return list(Organisation.objects.filter(slug__startswith=BENCH_ORG_PREFIX).values_list("pk", flat=True))


def _bench_members(total: int, org_ids, theme_ids, rng, stdout) -> None:
    emails = {f"member{n}@{BENCH_DOMAIN}": n for n in range(1, total + 1)}
    existing = set(User.objects.filter(email__endswith=f"@{BENCH_DOMAIN}").values_list("email", flat=True))
    wanted = [email for email in emails if email not in existing]
    password_hash = make_password(DEMO_PASSWORD)  # once, shared by every bench login
    organiser_group, _ = Group.objects.get_or_create(name=Role.ORGANISER)
    visibilities = ["members"] * 6 + ["public"] * 3 + ["hidden"]
    added = 0
    member_fields = [
        "user_id",
        "display_name",
        "country",
        "city",
        "languages",
        "visibility",
        "preferred_language",
        "time_zone",
    ]
    ThemeLink = Member.themes.through
    for start in range(0, len(wanted), BATCH):
        chunk = wanted[start : start + BATCH]
        # COPY (devtools/seed/copy.py), drawing the random values in bulk_create's old order.
        names = [(email, rng.choice(BENCH_FIRST), rng.choice(BENCH_LAST)) for email in chunk]
        copy_rows(
            User,
            ["email", "password", "first_name", "last_name"],
            ((email, password_hash, first, last) for email, first, last in names),
        )
        user_ids = dict(User.objects.filter(email__in=chunk).values_list("email", "pk"))
        users = [(user_ids[email], email, first, last) for email, first, last in names]
        # Rows inserted without signals: add what the post_save signal would have added.
        copy_rows(User.groups.through, ["user_id", "group_id"], ((pk, organiser_group.pk) for pk, *_rest in users))
        copy_rows(
            EmailAddress,
            ["user_id", "email", "verified", "primary"],
            ((pk, email, True, True) for pk, email, *_rest in users),
        )
        member_rows = []
        for pk, email, first, last in users:
            country = rng.choice(BENCH_COUNTRIES)
            city = rng.choice(BENCH_CITIES)
            languages = rng.sample(BENCH_LANGUAGES, k=rng.randint(1, 3))
            member_rows.append(
                (
                    pk,
                    f"{first} {last} {emails[email]}",
                    country,
                    city,
                    languages,
                    rng.choice(visibilities),
                    rng.choice(["en", "sv", "nl"]),
                    rng.choice(BENCH_TIMEZONES),
                )
            )
        copy_rows(Member, member_fields, member_rows)
        member_of = dict(Member.objects.filter(user_id__in=user_ids.values()).values_list("user_id", "pk"))
        members = [member_of[pk] for pk, *_rest in users]
        membership_rows = []
        for member_id in members:
            for org_id in rng.sample(org_ids, k=rng.randint(1, 2)) if org_ids else []:
                role = rng.choice(list(Membership.Role.values))
                since = date(rng.randint(2000, 2023), rng.randint(1, 12), 1)
                membership_rows.append((member_id, org_id, role, since))
        # New members: no membership or theme of theirs can be there already.
        copy_rows(Membership, ["member_id", "organisation_id", "role", "since"], membership_rows)
        copy_rows(
            ThemeLink,
            ["member_id", "theme_id"],
            [
                (member_id, theme_id)
                for member_id in members
                for theme_id in rng.sample(theme_ids, k=min(2, len(theme_ids)))
            ],
        )
        added += len(users)
    stdout.write(f"network: {added} bench members added ({len(existing)} were there)")
