"""What the API answers: one schema per resource (public fields only), and the list envelope."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Schema


class Error(Schema):
    code: str
    message: str
    detail: dict | list | None = None


class ErrorBody(Schema):
    error: Error


class Page(Schema):
    next_cursor: str | None
    next: str | None


class Organisation(Schema):
    id: int
    slug: str
    name: str
    kind: str
    country: str
    city: str
    website: str
    description: str
    themes: list[str]
    url: str
    updated_at: dt.datetime


class OrganisationPage(Page):
    data: list[Organisation]


class Session(Schema):
    title: str
    description: str
    starts_at: dt.datetime
    ends_at: dt.datetime


class Exchange(Schema):
    id: int
    slug: str
    language: str
    title: str
    summary: str
    description: str
    kind: str
    format: str
    status: str
    city: str
    country: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    time_zone: str
    working_languages: list[str]
    themes: list[str]
    hosts: list[str]
    sessions: list[Session]
    url: str
    updated_at: dt.datetime


class ExchangePage(Page):
    data: list[Exchange]


class Guide(Schema):
    id: int
    slug: str
    work: int
    language: str
    kind: str
    title: str
    summary: str
    sections: dict[str, str]
    themes: list[str]
    licence: str
    licence_url: str
    published_at: dt.datetime | None
    url: str
    updated_at: dt.datetime


class GuidePage(Page):
    data: list[Guide]


class JointAction(Schema):
    id: int
    slug: str
    title: str
    summary: str
    description: str
    language: str
    status: str
    issue: str
    started_on: dt.date | None
    ended_on: dt.date | None
    organisations: list[str]
    url: str
    updated_at: dt.datetime


class JointActionPage(Page):
    data: list[JointAction]


class StrategySection(Schema):
    key: str
    heading: str
    text: str


class StrategyVersion(Schema):
    id: int
    document: str
    number: int
    language: str
    original_language: str
    languages: list[str]
    title: str
    summary: str
    sections: list[StrategySection]
    note: str
    licence: str
    licence_url: str
    published_at: dt.datetime
    url: str
    updated_at: dt.datetime


class StrategyVersionPage(Page):
    data: list[StrategyVersion]


class EvidenceRecord(Schema):
    id: int
    kind: str
    layer: str
    status: str
    title: str
    summary: str
    body: str
    why_it_matters: str
    outcome_who: str
    outcome_what: str
    outcome_when: str
    outcome_where: str
    significance: str
    contribution: str
    storyteller: str | None
    organisations: list[str]
    themes: list[str]
    countries: list[str]
    period_start: dt.date | None
    period_end: dt.date | None
    verification: str
    original_language: str
    licence: str
    licence_url: str
    published_at: dt.datetime | None
    url: str
    updated_at: dt.datetime


class EvidencePage(Page):
    data: list[EvidenceRecord]


class SplitCell(Schema):
    category: str
    value: Decimal
    contributors: int


class Figure(Schema):
    period_start: dt.date
    period_end: dt.date
    value: Decimal | None
    contributors: int | None
    suppressed: bool
    splits: list[SplitCell]


class Indicator(Schema):
    id: int
    slug: str
    name: str
    unit: str
    aggregation: str
    split_categories: list[str]
    min_cell_size: int
    figures: list[Figure]


class IndicatorPage(Page):
    data: list[Indicator]
