from modeltranslation.translator import TranslationOptions, register

from practice.models import Characteristic


@register(Characteristic)
class CharacteristicTranslationOptions(TranslationOptions):
    fields = ("name",)
