"""``/sitemap.xml``: the public pages in the three languages, each with its hreflang
alternates (Django's i18n sitemaps), read for the anonymous viewer."""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from core.policy import ANONYMOUS
from evidence.models import EvidenceRecord
from exchanges.models import Exchange
from network.models import Organisation
from practice.models import Guide, JointAction


class _Public(Sitemap):
    i18n = True
    alternates = True
    x_default = True
    # Three languages a URL: 15,000 items keep a page under the protocol's 50,000 URLs.
    limit = 15_000


class PagesSitemap(_Public):
    changefreq = "daily"

    def items(self):
        return ["home", "exchanges:index", "evidence:index", "practice:index", "practice:joint_action_list",
                "network:organisation_list", "network:where"]  # fmt: skip

    def location(self, item):
        return reverse(item)


class ExchangeSitemap(_Public):
    def items(self):
        return Exchange.objects.visible_to(ANONYMOUS).only("slug", "updated_at").order_by("pk")

    def lastmod(self, item):
        return item.updated_at


class EvidenceSitemap(_Public):
    def items(self):
        return EvidenceRecord.objects.visible_to(ANONYMOUS).published().only("pk", "updated_at").order_by("pk")

    def lastmod(self, item):
        return item.updated_at


class GuideSitemap(_Public):
    def items(self):
        return Guide.objects.visible_to(ANONYMOUS).published().only("slug", "updated_at").order_by("pk")

    def lastmod(self, item):
        return item.updated_at


class JointActionSitemap(_Public):
    def items(self):
        return JointAction.objects.visible_to(ANONYMOUS).only("slug", "updated_at").order_by("pk")

    def lastmod(self, item):
        return item.updated_at


class OrganisationSitemap(_Public):
    def items(self):
        return Organisation.objects.only("slug", "updated_at").order_by("pk")

    def lastmod(self, item):
        return item.updated_at


SITEMAPS = {
    "pages": PagesSitemap,
    "exchanges": ExchangeSitemap,
    "evidence": EvidenceSitemap,
    "guides": GuideSitemap,
    "joint-actions": JointActionSitemap,
    "organisations": OrganisationSitemap,
}
