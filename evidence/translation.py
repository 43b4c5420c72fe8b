from modeltranslation.translator import TranslationOptions, register

from evidence.models import AssessmentDimension, Framework, Indicator, OutcomeType, ProcessDimension, Question


@register(ProcessDimension)
class ProcessDimensionTranslationOptions(TranslationOptions):
    fields = ("name",)


@register(OutcomeType)
class OutcomeTypeTranslationOptions(TranslationOptions):
    fields = ("name",)


@register(Indicator)
class IndicatorTranslationOptions(TranslationOptions):
    fields = ("name", "unit")


@register(Framework)
class FrameworkTranslationOptions(TranslationOptions):
    fields = ("name", "description")


@register(AssessmentDimension)
class AssessmentDimensionTranslationOptions(TranslationOptions):
    fields = ("name",)


@register(Question)
class QuestionTranslationOptions(TranslationOptions):
    fields = ("text",)
