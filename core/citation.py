"""Suggested citations of a page (evidence records, guides): plain text, BibTeX and CSL-JSON.

Authors are what the page itself names (organisations, or authors whose profiles the reader's
audience may see), never more; the permalink is the page's address without a language prefix.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import translation

from core.licences import Licence, licence_url

_BIBTEX_SPECIAL = re.compile(r"([\\{}%&$#_^~])")


def _bibtex_escape(text: str) -> str:
    return _BIBTEX_SPECIAL.sub(lambda m: "\\" + m.group(1) if m.group(1) not in "\\^~" else " ", text)


def permalink_path(obj) -> str:
    """``obj.get_absolute_url()`` in the default language: the address without a prefix,
    which every reader's language setting then serves in their own language."""
    with translation.override(settings.LANGUAGE_CODE):
        return obj.get_absolute_url()


@dataclass(frozen=True)
class Citation:
    key: str  # e.g. "learninglab-evidence-12"
    title: str
    path: str  # the page's path, unprefixed
    issued: dt.date | None
    authors: list[str] = field(default_factory=list)
    kind: str = "report"  # a CSL type: report, article, webpage
    language: str = ""
    licence: str = ""

    @property
    def url(self) -> str:
        return settings.SITE_URL + self.path

    @property
    def author_text(self) -> str:
        return ", ".join(self.authors) if self.authors else settings.SITE_NAME

    @property
    def licence_label(self) -> str:
        return str(Licence(self.licence).label) if self.licence in Licence.values else ""

    def text(self) -> str:
        year = str(self.issued.year) if self.issued else "n.d."
        parts = [f"{self.author_text} ({year}). {self.title}. {settings.SITE_NAME}. {self.url}"]
        if licence_url(self.licence):
            parts.append(f"{self.licence_label} ({licence_url(self.licence)}).")
        return " ".join(parts)

    def bibtex(self) -> str:
        authors = " and ".join("{" + _bibtex_escape(a) + "}" for a in (self.authors or [settings.SITE_NAME]))
        fields = [
            ("author", authors),
            ("title", "{" + _bibtex_escape(self.title) + "}"),
            ("year", str(self.issued.year) if self.issued else ""),
            ("publisher", _bibtex_escape(settings.SITE_NAME)),
            ("howpublished", r"\url{" + self.url + "}"),
            ("url", self.url),
            ("language", self.language),
            ("note", _bibtex_escape(f"Licence: {self.licence_label}") if self.licence_label else ""),
        ]
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields if value)
        return f"@misc{{{self.key},\n{body}\n}}"

    def csl(self) -> dict:
        data = {
            "id": self.key,
            "type": self.kind,
            "title": self.title,
            "author": [{"literal": a} for a in (self.authors or [settings.SITE_NAME])],
            "publisher": settings.SITE_NAME,
            "URL": self.url,
        }
        if self.issued:
            data["issued"] = {"date-parts": [[self.issued.year, self.issued.month, self.issued.day]]}
        if self.language:
            data["language"] = self.language
        if licence_url(self.licence):
            data["license"] = licence_url(self.licence)
        return data

    def csl_json(self) -> str:
        return json.dumps([self.csl()], ensure_ascii=False, indent=2)
