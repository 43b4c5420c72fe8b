"""Atom feeds of what is new and public: guides, evidence and exchanges.

Each reads its kind's ``visible_to`` for the anonymous viewer (a feed reader is nobody in
particular), newest first, 50 entries. The language of translated text comes from ``?lang=``
or Accept-Language, as in the API; the guides feed with ``?lang=`` lists that language's
versions only.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.utils import translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from api.main import ApiError, request_language
from core.http import cache_publicly
from core.policy import ANONYMOUS
from evidence.models import EvidenceRecord
from exchanges.models import Exchange
from practice.models import Guide

ENTRIES = 50


class _AtomFeed(Feed):
    feed_type = Atom1Feed

    def __call__(self, request, *args, **kwargs):
        try:
            language = request_language(request)
        except ApiError:
            language = settings.LANGUAGE_CODE
        with translation.override(language):
            response = super().__call__(request, *args, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"
        return cache_publicly(request, response, 300)

    def get_object(self, request, *args, **kwargs):
        return request

    def item_updateddate(self, item):
        return item.updated_at


class GuideFeed(_AtomFeed):
    def title(self):
        return _("%(site)s: new guides") % {"site": settings.SITE_NAME}

    def link(self):
        return "/practice/"

    def subtitle(self):
        return _("Guides published by the network's organisers.")

    def items(self, request):
        guides = Guide.objects.visible_to(ANONYMOUS).published().select_related("work")
        if request.GET.get("lang") in dict(settings.LANGUAGES):
            guides = guides.filter(language=request.GET["lang"])
        return guides.order_by("-published_at", "-pk")[:ENTRIES]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_pubdate(self, item):
        return item.published_at


class EvidenceFeed(_AtomFeed):
    def title(self):
        return _("%(site)s: new evidence") % {"site": settings.SITE_NAME}

    def link(self):
        return "/evidence/"

    def subtitle(self):
        return _("Evidence records published for everyone.")

    def items(self, request):
        return EvidenceRecord.objects.visible_to(ANONYMOUS).published().order_by("-published_at", "-pk")[:ENTRIES]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_pubdate(self, item):
        return item.published_at


class ExchangeFeed(_AtomFeed):
    def title(self):
        return _("%(site)s: new exchanges") % {"site": settings.SITE_NAME}

    def link(self):
        return "/exchanges/"

    def subtitle(self):
        return _("Learning exchanges announced by the network.")

    def items(self, request):
        exchanges = Exchange.objects.visible_to(ANONYMOUS).published().with_translation()
        return exchanges.order_by("-published_at", "-pk")[:ENTRIES]

    def item_title(self, item):
        return item.text().title

    def item_description(self, item):
        return item.text().summary

    def item_pubdate(self, item):
        return item.published_at
