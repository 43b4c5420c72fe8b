"""Guide images uploaded before uploads were checked are re-encoded now (their metadata, such
as GPS positions, dropped) and stored again under random names; guide texts that placed them
with their old /media/ URL get the serving view's URL instead, since /media/ is no longer
routed. An image that fails the check keeps its old file, reachable only through the view."""

from django.conf import settings
from django.db import migrations

from core.uploads import store_again_checked


def forwards(apps, schema_editor):
    image_model = apps.get_model("practice", "GuideImage")
    guide_model = apps.get_model("practice", "Guide")
    new_urls = {}
    for image in image_model.objects.exclude(file="").exclude(file__startswith="practice/images/").order_by("pk"):
        old_name = store_again_checked(image) or image.file.name
        new_urls[f"{settings.MEDIA_URL}{old_name}"] = image.file.url
    if not new_urls:
        return
    for guide in guide_model.objects.only("pk", "sections").order_by("pk").iterator():
        sections = dict(guide.sections or {})
        for key, text in sections.items():
            for old_url, new_url in new_urls.items():
                if isinstance(text, str):
                    text = text.replace(old_url, new_url)
            sections[key] = text
        if sections != guide.sections:
            guide_model.objects.filter(pk=guide.pk).update(sections=sections)
    from core import cache

    cache.changed("practice")


class Migration(migrations.Migration):
    dependencies = [("practice", "0006_guide_images_reencoded_under_random_names")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
