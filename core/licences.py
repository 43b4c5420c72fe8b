"""The licences content may carry (evidence records, guides, strategy versions), and which of them are open.

One list for every app: the pages name a licence, the API and the open-data packages keep
everything "all rights reserved" out (``OPEN``), and citations link to the licence's deed.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Licence(models.TextChoices):
    CC_BY_SA = "CC-BY-SA-4.0", _("Creative Commons Attribution-ShareAlike 4.0")
    CC_BY = "CC-BY-4.0", _("Creative Commons Attribution 4.0")
    CC0 = "CC0-1.0", _("Creative Commons Zero (public domain)")
    ALL_RIGHTS = "all-rights-reserved", _("All rights reserved")


# Licences that let others reuse the work: only these reach open data (API for visitors, feeds'
# full text, nightly packages).
OPEN = frozenset({Licence.CC_BY, Licence.CC_BY_SA, Licence.CC0})

URLS = {
    Licence.CC_BY: "https://creativecommons.org/licenses/by/4.0/",
    Licence.CC_BY_SA: "https://creativecommons.org/licenses/by-sa/4.0/",
    Licence.CC0: "https://creativecommons.org/publicdomain/zero/1.0/",
    Licence.ALL_RIGHTS: "",
}


def licence_url(code: str) -> str:
    return URLS.get(code, "")


def is_open(code: str) -> bool:
    return code in OPEN
