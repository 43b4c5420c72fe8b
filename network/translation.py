from modeltranslation.translator import TranslationOptions, register

from network.models import Theme


@register(Theme)
class ThemeTranslationOptions(TranslationOptions):
    fields = ("name", "description")
