from modeltranslation.translator import TranslationOptions, register

from strategy.models import Question, Section


@register(Section)
class SectionTranslationOptions(TranslationOptions):
    fields = ("heading",)


@register(Question)
class QuestionTranslationOptions(TranslationOptions):
    fields = ("text",)
