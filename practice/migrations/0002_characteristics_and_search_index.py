"""Seed the guide characteristics (names in en/sv/nl) and add the search index's GIN index.

The GIN index is PostgreSQL-only, so it is created here (not in Meta.indexes) and skipped
on the SQLite demo, which searches without vectors.
"""

from django.db import migrations

CHARACTERISTICS = [
    # facet, slug, English, Swedish, Dutch
    ("policy_cycle", "agenda-setting", "Agenda-setting", "Dagordningssättning", "Agendavorming"),
    ("policy_cycle", "policy-making", "Policy-making", "Policyutformning", "Beleidsvorming"),
    ("policy_cycle", "implementation", "Implementation", "Genomförande", "Uitvoering"),
    ("policy_cycle", "evaluation", "Evaluation", "Utvärdering", "Evaluatie"),
    ("purpose", "co-production", "Co-production", "Samskapande", "Coproduceren"),
    ("purpose", "citizens-self-reliance", "Citizens' self-reliance", "Medborgares egenmakt",
     "Zelfwerkzaamheid van burgers bevorderen"),
    ("purpose", "social-cohesion", "Social cohesion", "Social sammanhållning", "Sociale cohesie versterken"),
    ("purpose", "generating-ideas", "Generating ideas", "Ta fram idéer", "Ideeën of informatie genereren"),
    ("purpose", "building-civic-capacity", "Building civic capacity", "Stärka civilsamhällets kapacitet",
     "Maatschappelijke slagkracht opbouwen"),
    ("purpose", "influencing-decisions", "Influencing decisions", "Påverka beslut", "Besluitvorming beïnvloeden"),
    ("participation", "participation-inform", "Informing", "Informera", "Informeren"),
    ("participation", "participation-consult", "Consulting", "Samråda", "Raadplegen"),
    ("participation", "participation-involve", "Involving", "Involvera", "Betrekken"),
    ("participation", "participation-collaborate", "Collaborating", "Samarbeta", "Samenwerken"),
    ("participation", "participation-empower", "Deciding together", "Besluta tillsammans", "Samen beslissen"),
    ("suitable_for", "small-groups", "Small groups (up to 15)", "Små grupper (upp till 15)", "Kleine groepen (tot 15)"),
    ("suitable_for", "medium-groups", "Medium groups (15–50)", "Mellanstora grupper (15–50)",
     "Middelgrote groepen (15–50)"),
    ("suitable_for", "large-groups", "Large groups (over 50)", "Stora grupper (över 50)", "Grote groepen (meer dan 50)"),
    ("suitable_for", "online", "Online", "Digitalt", "Online"),
    ("suitable_for", "in-person", "In person", "På plats", "Fysiek"),
    ("suitable_for", "facilitation-needed", "Facilitation needed", "Kräver samtalsledare", "Begeleiding nodig"),
    ("suitable_for", "no-facilitation", "No facilitator needed", "Ingen samtalsledare behövs",
     "Geen begeleider nodig"),
]


def seed(apps, schema_editor):
    Characteristic = apps.get_model("practice", "Characteristic")
    for order, (facet, slug, en, sv, nl) in enumerate(CHARACTERISTICS):
        Characteristic.objects.update_or_create(
            slug=slug,
            defaults={"facet": facet, "order": order, "name": en, "name_en": en, "name_sv": sv, "name_nl": nl},
        )


def unseed(apps, schema_editor):
    apps.get_model("practice", "Characteristic").objects.filter(slug__in=[c[1] for c in CHARACTERISTICS]).delete()


def gin_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS practice_searchentry_vector_gin ON practice_searchentry USING gin (vector)"
        )


def drop_gin_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS practice_searchentry_vector_gin")


class Migration(migrations.Migration):
    dependencies = [("practice", "0001_initial")]

    operations = [
        migrations.RunPython(seed, unseed),
        migrations.RunPython(gin_index, drop_gin_index),
    ]
