"""Seed the editable lists from the evidence issue, with Swedish and Dutch names, and the
learning-community framework from the "Learning Community" criteria (seeds/004)."""

from django.db import migrations

PROCESS_DIMENSIONS = [
    ("consciousness-raising", "consciousness-raising", "medvetandegörande", "bewustwording"),
    ("relationship-trust", "relationship and trust building", "att bygga relationer och tillit", "relaties en vertrouwen opbouwen"),
    ("leadership-development", "leadership development", "ledarskapsutveckling", "leiderschapsontwikkeling"),
    ("conflict-resolution", "conflict resolution", "konfliktlösning", "conflictoplossing"),
    ("power-building", "power building", "att bygga makt", "macht opbouwen"),
    ("collective-learning", "collective learning", "kollektivt lärande", "collectief leren"),
    ("inclusion", "inclusion", "inkludering", "inclusie"),
]

OUTCOME_TYPES = [
    ("campaign-win", "campaign win", "vunnen kampanj", "gewonnen campagne"),
    ("policy-change", "policy change", "policyförändring", "beleidsverandering"),
    ("institutional-practice", "change in institutional practice", "förändrad praxis i en institution", "verandering in de werkwijze van een instelling"),
    ("agenda-setting", "issue put on the agenda", "en fråga på dagordningen", "onderwerp op de agenda gezet"),
    ("resources-won", "resources won", "resurser som vunnits", "middelen binnengehaald"),
    ("project-delivered", "project or initiative delivered", "genomfört projekt eller initiativ", "project of initiatief gerealiseerd"),
    ("knowledge-behaviour", "change in knowledge or behaviour", "förändrad kunskap eller förändrat beteende", "verandering in kennis of gedrag"),
    ("relationships-alliances", "new relationships and alliances", "nya relationer och allianser", "nieuwe relaties en allianties"),
]

# slug, en, sv, nl, unit (en, sv, nl), dimension slug, outcome slug, aggregation, splits
INDICATORS = [
    ("one-to-ones", "one-to-one relational meetings held", "relationella enskilda samtal", "één-op-één relationele gesprekken",
     ("meetings", "samtal", "gesprekken"), "relationship-trust", None, "sum", []),
    ("new-people-engaged", "new people engaged", "nya personer som engagerat sig", "nieuwe mensen betrokken",
     ("people", "personer", "mensen"), "power-building", None, "sum", ["under 18", "18–29", "30–64", "65+"]),
    ("leadership-roles", "people who took on a leadership role", "personer som tagit en ledarroll", "mensen die een leidersrol opnamen",
     ("people", "personer", "mensen"), "leadership-development", None, "sum", ["women", "men", "non-binary or not stated"]),
    ("trainings-held", "trainings held", "genomförda utbildningar", "gegeven trainingen",
     ("trainings", "utbildningar", "trainingen"), "collective-learning", None, "sum", []),
    ("conflicts-mediated", "conflicts mediated", "medlade konflikter", "bemiddelde conflicten",
     ("conflicts", "konflikter", "conflicten"), "conflict-resolution", None, "sum", []),
    ("new-allies", "new allies", "nya allierade", "nieuwe bondgenoten",
     ("allies", "allierade", "bondgenoten"), None, "relationships-alliances", "sum", []),
    ("campaign-wins", "campaign wins", "vunna kampanjer", "gewonnen campagnes",
     ("wins", "segrar", "overwinningen"), None, "campaign-win", "sum", []),
    ("resources-won-eur", "resources won (EUR)", "vunna resurser (EUR)", "binnengehaalde middelen (EUR)",
     ("EUR", "EUR", "EUR"), None, "resources-won", "sum", []),
    ("people-benefiting", "people benefiting", "personer som gynnas", "mensen die er baat bij hebben",
     ("people", "personer", "mensen"), None, "project-delivered", "latest", ["under 18", "18–29", "30–64", "65+"]),
]

FRAMEWORK = {
    "slug": "learning-community",
    "name": ("The learning community", "Den lärande gemenskapen", "De lerende gemeenschap"),
    "description": (
        "A community that learns builds infrastructures of communication and collaboration to manage needs, "
        "change and challenges. Score each question from 1 (hardly) to 5 (systematically).",
        "En gemenskap som lär sig bygger strukturer för kommunikation och samarbete för att hantera behov, "
        "förändring och utmaningar. Ge varje fråga 1 (knappast) till 5 (systematiskt).",
        "Een gemeenschap die leert bouwt aan infrastructuren van communicatie en samenwerking om behoeften, "
        "verandering en uitdagingen aan te pakken. Scoor elke vraag van 1 (nauwelijks) tot 5 (systematisch).",
    ),
    "dimensions": [
        (("Initiative and communication", "Initiativ och kommunikation", "Initiatief en communicatie"), [
            ("How are initiatives taken?", "Hur tas initiativ?", "Hoe worden initiatieven genomen?"),
            ("Who is communicating about emerging needs or opportunities?",
             "Vem kommunicerar om nya behov eller möjligheter?",
             "Wie communiceert over opkomende behoeften of kansen?"),
        ]),
        (("Collaboration across sectors", "Samarbete mellan sektorer", "Samenwerking tussen sectoren"), [
            ("To what extent are different sectors collaborating, say a college, a bank and a sports club?",
             "I vilken utsträckning samarbetar olika sektorer, till exempel en skola, en bank och en idrottsklubb?",
             "In hoeverre werken verschillende sectoren samen, bijvoorbeeld een school, een bank en een sportclub?"),
            ("What kinds of partnerships are created outside the public authorities?",
             "Vilka slags partnerskap skapas utanför de offentliga myndigheterna?",
             "Welke soorten partnerschappen ontstaan buiten de overheid?"),
        ]),
        (("Citizens' self-reliance", "Medborgarnas egen kraft", "Zelfredzaamheid van burgers"), [
            ("How are groups of citizens involved in finding new ways to solve their problems?",
             "Hur involveras grupper av medborgare i att hitta nya sätt att lösa sina problem?",
             "Hoe worden groepen burgers betrokken bij het vinden van nieuwe manieren om hun problemen op te lossen?"),
            ("To what extent can partnerships and groups of citizens act independently?",
             "I vilken utsträckning kan partnerskap och grupper av medborgare agera självständigt?",
             "In hoeverre kunnen partnerschappen en groepen burgers zelfstandig handelen?"),
            ("What organisations and groups of citizens are involved in entrepreneurship?",
             "Vilka organisationer och grupper av medborgare är involverade i entreprenörskap?",
             "Welke organisaties en groepen burgers zijn betrokken bij ondernemerschap?"),
        ]),
        (("Policy and trust", "Politik och tillit", "Beleid en vertrouwen"), [
            ("How is policy created?", "Hur skapas politiken?", "Hoe komt beleid tot stand?"),
            ("How is trust built between the collaborators and between authorities and citizens?",
             "Hur byggs tillit mellan samarbetsparterna och mellan myndigheter och medborgare?",
             "Hoe wordt vertrouwen opgebouwd tussen de samenwerkingspartners en tussen overheid en burgers?"),
        ]),
        (("Openness, inclusion and community", "Öppenhet, inkludering och gemenskap", "Openheid, inclusie en gemeenschap"), [
            ("How are talent, innovation and creativity welcomed and supported?",
             "Hur välkomnas och stöds talang, innovation och kreativitet?",
             "Hoe worden talent, innovatie en creativiteit verwelkomd en ondersteund?"),
            ("How are the community's inclusion principles and infrastructures working in practice?",
             "Hur fungerar gemenskapens principer och strukturer för inkludering i praktiken?",
             "Hoe werken de inclusieprincipes en -structuren van de gemeenschap in de praktijk?"),
            ("How is a community mentality encouraged, developed and sustained?",
             "Hur uppmuntras, utvecklas och upprätthålls en gemenskapsanda?",
             "Hoe wordt een gemeenschapszin aangemoedigd, ontwikkeld en in stand gehouden?"),
        ]),
    ],
}


def seed(apps, schema_editor):
    ProcessDimension = apps.get_model("evidence", "ProcessDimension")
    OutcomeType = apps.get_model("evidence", "OutcomeType")
    Indicator = apps.get_model("evidence", "Indicator")
    Framework = apps.get_model("evidence", "Framework")
    AssessmentDimension = apps.get_model("evidence", "AssessmentDimension")
    Question = apps.get_model("evidence", "Question")

    for order, (slug, en, sv, nl) in enumerate(PROCESS_DIMENSIONS):
        ProcessDimension.objects.update_or_create(
            slug=slug, defaults={"name": en, "name_en": en, "name_sv": sv, "name_nl": nl, "order": order}
        )
    for order, (slug, en, sv, nl) in enumerate(OUTCOME_TYPES):
        OutcomeType.objects.update_or_create(
            slug=slug, defaults={"name": en, "name_en": en, "name_sv": sv, "name_nl": nl, "order": order}
        )
    for order, (slug, en, sv, nl, units, dim, out, aggregation, splits) in enumerate(INDICATORS):
        Indicator.objects.update_or_create(
            slug=slug,
            defaults={
                "name": en, "name_en": en, "name_sv": sv, "name_nl": nl,
                "unit": units[0], "unit_en": units[0], "unit_sv": units[1], "unit_nl": units[2],
                "dimension": ProcessDimension.objects.filter(slug=dim).first() if dim else None,
                "outcome_type": OutcomeType.objects.filter(slug=out).first() if out else None,
                "aggregation": aggregation, "split_categories": splits, "order": order,
            },
        )
    name, description = FRAMEWORK["name"], FRAMEWORK["description"]
    framework, _ = Framework.objects.update_or_create(
        slug=FRAMEWORK["slug"],
        defaults={
            "name": name[0], "name_en": name[0], "name_sv": name[1], "name_nl": name[2],
            "description": description[0], "description_en": description[0],
            "description_sv": description[1], "description_nl": description[2],
        },
    )
    for d_order, (d_names, questions) in enumerate(FRAMEWORK["dimensions"]):
        dimension, _ = AssessmentDimension.objects.update_or_create(
            framework=framework, order=d_order,
            defaults={"name": d_names[0], "name_en": d_names[0], "name_sv": d_names[1], "name_nl": d_names[2]},
        )
        for q_order, texts in enumerate(questions):
            Question.objects.update_or_create(
                dimension=dimension, order=q_order,
                defaults={"text": texts[0], "text_en": texts[0], "text_sv": texts[1], "text_nl": texts[2]},
            )


class Migration(migrations.Migration):
    dependencies = [("evidence", "0002_extend_records_consent_indicators_assessment")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
