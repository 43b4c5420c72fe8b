from django.conf import settings
from modeltranslation.translator import TranslationOptions, register

from strategy.models import Question, Section


@register(Section)
class SectionTranslationOptions(TranslationOptions):
    fields = ("heading",)


@register(Question)
class QuestionTranslationOptions(TranslationOptions):
    """A question is written in the language its coordinator wrote it in (``round_open`` stores
    it as the active language's text) and translated in the admin. A reader sees their own
    language, else English, else whichever language it was written in: never an empty question."""

    fields = ("text",)
    fallback_languages = {"default": tuple(code for code, _name in settings.LANGUAGES)}
