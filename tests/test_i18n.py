"""Three languages: translated pages, complete catalogues, localised dates, numbers and names."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.utils import timezone

from core.middleware import ViewerMiddleware
from network.models import Organisation, Theme
from tests.factories.network import MembershipFactory, OrganisationFactory, UserFactory, member_for

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


# --- catalogues -----------------------------------------------------------------------------


def _catalogues() -> list[Path]:
    """Every django.po in the repository: the project's and every app's, present or future."""
    found = set(ROOT.glob("locale/*/LC_MESSAGES/django.po")) | set(ROOT.glob("*/locale/*/LC_MESSAGES/django.po"))
    return sorted(path for path in found if ".venv" not in path.parts and "node_modules" not in path.parts)


_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def _unquote(line: str) -> str:
    body = line[line.index('"') + 1 : line.rindex('"')]
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(0)), body)


def _entries(path: Path) -> list[dict]:
    """Parse a .po file into entries: flags, msgid, msgid_plural and msgstr forms."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry: dict = {"flags": set(), "msgstr": {}}
        field = None
        for line in block.strip().splitlines():
            if line.startswith("#,"):
                entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif line.startswith("msgid_plural "):
                field = ("msgid_plural", None)
                entry["msgid_plural"] = _unquote(line)
            elif line.startswith("msgid "):
                field = ("msgid", None)
                entry["msgid"] = _unquote(line)
            elif line.startswith("msgstr["):
                index = int(line[7 : line.index("]")])
                field = ("msgstr", index)
                entry["msgstr"][index] = _unquote(line)
            elif line.startswith("msgstr "):
                field = ("msgstr", 0)
                entry["msgstr"][0] = _unquote(line)
            elif line.startswith("msgctxt "):
                field = ("msgctxt", None)
                entry["msgctxt"] = _unquote(line)
            elif line.startswith('"') and field:
                name, index = field
                if name == "msgstr":
                    entry["msgstr"][index] += _unquote(line)
                else:
                    entry[name] += _unquote(line)
        if "msgid" in entry:
            entries.append(entry)
    return entries


PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w*\}|%[sd]")


def _problems(path: Path) -> list[str]:
    problems = []
    for entry in _entries(path):
        msgid = entry["msgid"]
        if msgid == "":
            if "fuzzy" in entry["flags"]:
                problems.append("the header is marked fuzzy")
            continue
        if "fuzzy" in entry["flags"]:
            problems.append(f"fuzzy: {msgid!r}")
        forms = entry["msgstr"]
        if not forms or any(not text.strip() for text in forms.values()):
            problems.append(f"untranslated: {msgid!r}")
            continue
        expected = sorted(PLACEHOLDER.findall(msgid + entry.get("msgid_plural", "")))
        for text in forms.values():
            if not set(PLACEHOLDER.findall(text)) <= set(expected):
                problems.append(f"placeholders differ: {msgid!r} → {text!r}")
    return problems


def test_the_project_and_network_catalogues_exist_for_every_language():
    for language in LANGUAGES:
        assert (ROOT / "locale" / language / "LC_MESSAGES" / "django.po").exists()
        assert (ROOT / "network" / "locale" / language / "LC_MESSAGES" / "django.po").exists()


@pytest.mark.parametrize("path", _catalogues(), ids=lambda p: str(p.relative_to(ROOT)))
def test_catalogue_is_complete_with_no_fuzzy_entries(path):
    problems = _problems(path)
    assert not problems, f"{path.relative_to(ROOT)}:\n" + "\n".join(problems)


def test_the_catalogue_check_catches_untranslated_and_fuzzy_entries(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: sv\\n"\n\n'
        'msgid "Organisations"\nmsgstr "Organisationer"\n\n'
        'msgid "Members"\nmsgstr ""\n\n'
        '#, fuzzy\nmsgid "Log in"\nmsgstr "Logga in"\n\n'
        'msgid "%(counter)s member"\nmsgid_plural "%(counter)s members"\n'
        'msgstr[0] "%(counter)s medlem"\nmsgstr[1] ""\n\n'
        'msgid "Page %(number)s"\nmsgstr "Sida %(nummer)s"\n',
        encoding="utf-8",
    )
    problems = _problems(po)
    assert "untranslated: 'Members'" in problems
    assert "fuzzy: 'Log in'" in problems
    assert "untranslated: '%(counter)s member'" in problems
    assert any(p.startswith("placeholders differ: 'Page") for p in problems)
    assert not any("Organisations" in p for p in problems)


# --- pages ----------------------------------------------------------------------------------

PAGES = {
    "/": {"sv": ["Här finns vi", "Organisationer", "Bli medlem"], "nl": ["Waar we zijn", "Organisaties", "Aanmelden"]},
    "/organisations/": {"sv": ["Alla länder", "Använd filter"], "nl": ["Alle landen", "Filters toepassen"]},
    "/where/": {"sv": ["Organisationer per land"], "nl": ["Organisaties per land"]},
    "/accounts/login/": {"sv": ["Logga in", "Lösenord"], "nl": ["Inloggen", "Wachtwoord"]},
    "/accounts/signup/": {"sv": ["Bli medlem"], "nl": ["Aanmelden"]},
    "/accounts/password/reset/": {"sv": ["Lösenord"], "nl": ["Wachtwoord"]},
}


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["sv", "nl"])
@pytest.mark.parametrize("path", list(PAGES))
def test_pages_under_a_language_prefix_are_translated(client, language, path):
    OrganisationFactory(country="SE")
    response = client.get(f"/{language}{path}")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    for text in PAGES[path][language]:
        assert text.lower() in html.lower(), f"{text!r} missing on /{language}{path}"
    # The English originals of the layout are gone.
    assert "Skip to main content" not in html


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["sv", "nl"])
def test_signed_in_pages_are_translated(client, organiser, language):
    client.force_login(organiser)
    expected = {
        "sv": {"/me/profile/": "Spara profil", "/me/account/": "Ladda ner mina uppgifter", "/members/": "Talar"},
        "nl": {"/me/profile/": "Profiel opslaan", "/me/account/": "Mijn gegevens downloaden", "/members/": "Spreekt"},
    }[language]
    for path, text in expected.items():
        assert text in client.get(f"/{language}{path}").content.decode(), path


@pytest.mark.django_db
def test_country_kind_and_theme_names_follow_the_language(client):
    org = OrganisationFactory(country="NL", kind=Organisation.Kind.PUBLIC_BODY)
    # As migration 0002 seeds it (a transactional test earlier in the run may have flushed it).
    housing, _ = Theme.objects.update_or_create(
        slug="housing", defaults={"name_en": "Housing", "name_sv": "Bostäder", "name_nl": "Wonen"}
    )
    org.themes.add(housing)
    sv = client.get(f"/sv/organisations/{org.slug}/").content.decode()
    nl = client.get(f"/nl/organisations/{org.slug}/").content.decode()
    en = client.get(f"/organisations/{org.slug}/").content.decode()
    assert "Nederländerna" in sv and "Offentlig aktör" in sv and "Bostäder" in sv
    assert "Nederland" in nl and "Overheid" in nl and "Wonen" in nl
    assert "Netherlands" in en and "Public body" in en and "Housing" in en


@pytest.mark.django_db
def test_dates_follow_the_language(client, organiser):
    member = member_for(UserFactory(), display_name="Hodan Ali")
    MembershipFactory(member=member, since=date(2021, 3, 1))
    client.force_login(organiser)
    assert "sedan mars 2021" in client.get(f"/sv/members/{member.pk}/").content.decode()
    assert "sinds maart 2021" in client.get(f"/nl/members/{member.pk}/").content.decode()
    assert "since March 2021" in client.get(f"/members/{member.pk}/").content.decode()


@pytest.mark.django_db
def test_numbers_follow_the_language(client):
    Organisation.objects.bulk_create(
        [Organisation(name=f"Org {n}", slug=f"org-{n}", country="SE") for n in range(1200)]
    )
    assert "1.200 organisaties" in client.get("/nl/organisations/").content.decode()
    assert "1\xa0200 organisationer" in client.get("/sv/organisations/").content.decode()
    assert "1,200 organisations" in client.get("/organisations/").content.decode()


@pytest.mark.django_db
def test_times_are_shown_in_the_members_time_zone(organiser):
    member_for(organiser, time_zone="America/Sao_Paulo")
    request = RequestFactory().get("/")
    request.user = organiser
    seen = {}

    def view(request):
        seen["tz"] = timezone.get_current_timezone_name()
        return None

    ViewerMiddleware(view)(request)
    assert seen["tz"] == "America/Sao_Paulo"
    request.user = AnonymousUser()
    ViewerMiddleware(view)(request)
    assert seen["tz"] == "UTC"


@pytest.mark.django_db
def test_switching_language_keeps_the_page(client):
    response = client.post("/i18n/setlang/", {"language": "sv", "next": "/organisations/"})
    assert response.status_code == 302
    assert response["Location"] == "/sv/organisations/"


def test_dates_read_european_in_every_language():
    """Before: English dates read American ("Dec. 7, 2026, 8 a.m.", "12/07/2026") and Swedish and
    Dutch capitalised month abbreviations ("7 Dec 2026")."""
    import datetime as dt

    from django.utils import formats as django_formats
    from django.utils import translation

    from core import formats

    moment = dt.datetime(2026, 12, 7, 8, 5)
    expected = {
        "en": ("7 December 2026", "07/12/2026", "7 December 2026, 08:05", "Mon 7 Dec 2026, 08:05", "7 Dec 2026"),
        "sv": ("7 december 2026", "2026-12-07", "7 december 2026 08:05", "mån 7 dec 2026, 08:05", "7 dec 2026"),
        "nl": ("7 december 2026", "7-12-2026", "7 december 2026 08:05", "ma 7 dec 2026, 08:05", "7 dec 2026"),
    }
    for language, (long_date, short, datetime_text, event, medium) in expected.items():
        with translation.override(language):
            assert django_formats.date_format(moment, "DATE_FORMAT") == long_date
            assert django_formats.date_format(moment, "SHORT_DATE_FORMAT") == short
            assert django_formats.date_format(moment, "DATETIME_FORMAT") == datetime_text
            assert formats.event_datetime(moment) == event
            assert formats.medium_date(moment) == medium
