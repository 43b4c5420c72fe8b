from django.db import migrations

# slug: (en, sv, nl)
THEMES = {
    "climate-change": ("Climate change", "Klimatförändringar", "Klimaatverandering"),
    "digital-divide": ("Digital divide", "Digital klyfta", "Digitale kloof"),
    "cost-of-living": ("Cost of living", "Levnadskostnader", "Kosten van levensonderhoud"),
    "housing": ("Housing", "Bostäder", "Wonen"),
    "democracy-participation": ("Democracy and participation", "Demokrati och delaktighet", "Democratie en participatie"),
    "youth": ("Youth", "Unga", "Jongeren"),
    "migration": ("Migration", "Migration", "Migratie"),
    "health": ("Health", "Hälsa", "Gezondheid"),
    "education": ("Education", "Utbildning", "Onderwijs"),
    "local-economy": ("Local economy", "Lokal ekonomi", "Lokale economie"),
}


def seed(apps, schema_editor):
    Theme = apps.get_model("network", "Theme")
    for slug, (en, sv, nl) in THEMES.items():
        Theme.objects.update_or_create(
            slug=slug, defaults={"name": en, "name_en": en, "name_sv": sv, "name_nl": nl}
        )


class Migration(migrations.Migration):
    dependencies = [("network", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
