"""Pictures (issue #12): a member's photo, an organisation's logo, an exchange's cover.

Uploaded through the pages people use, checked and re-encoded like every upload, stored under
random names in several widths, rendered with ``srcset``/``sizes`` and ``width``/``height``,
served only as their object is visible, freed when replaced or deleted; initials where there
is no picture."""

from __future__ import annotations

import io
import re

import pytest
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from core.pictures import renditions
from exchanges import services as exchange_services
from exchanges.models import Exchange
from network.models import Member, Organisation
from tests.factories.exchanges import ExchangeFactory, RegistrationFactory
from tests.factories.files import image_bytes
from tests.factories.network import MembershipFactory, OrganisationFactory, UserFactory, member_for

pytestmark = pytest.mark.django_db


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def profile_data(member: Member, **changes) -> dict:
    data = {
        "display_name": member.display_name,
        "country": "SE",
        "city": "Göteborg",
        "bio": "",
        "visibility": member.visibility,
        "preferred_language": "en",
        "time_zone": "Europe/Stockholm",
        "photo_alt": "",
    }
    data.update(changes)
    return data


def upload_photo(client, member, content=None, name="me.png", **changes):
    photo = SimpleUploadedFile(name, content if content is not None else image_bytes("PNG", size=(900, 600)))
    return client.post(reverse("network:profile_edit"), profile_data(member, photo=photo, **changes))


def stored_files(fieldfile) -> list[str]:
    return [r.name for r in renditions(fieldfile.name, fieldfile.field.widths)]


# --- Uploading, storing, rendering ------------------------------------------------------------


def test_a_png_photo_is_stored_re_encoded_under_a_random_name_in_several_widths(client, organiser):
    client.force_login(organiser)
    response = upload_photo(client, organiser.member, photo_alt="Me at the Bergsjön meeting")
    assert response.status_code == 302
    member = Member.objects.get(pk=organiser.member.pk)
    assert re.fullmatch(r"network/photos/[0-9a-f]{32}-384x256\.jpg", member.photo.name)
    assert "me" not in member.photo.name.rsplit("/", 1)[1]
    names = stored_files(member.photo)
    # 96, 192 and 384 pixels wide, as JPEG (the opaque PNG) and as WebP.
    assert sorted(n.rsplit("-", 1)[1] for n in names[1:]) == sorted(
        ["96.jpg", "192.jpg", "96.webp", "192.webp", "384.webp"]
    )
    for name in names:
        with default_storage.open(name) as handle, Image.open(handle) as image:
            expected = "WEBP" if name.endswith(".webp") else "JPEG"
            assert image.format == expected and not image.info.get("exif")
            width = int(name.rsplit("-", 1)[1].split(".")[0]) if name.count("-") > 1 else 384
            assert image.size == (width, round(width * 2 / 3))


def test_the_profile_page_renders_srcset_sizes_and_dimensions_and_every_width_is_served(client, organiser):
    client.force_login(organiser)
    upload_photo(client, organiser.member, photo_alt="Me at the meeting")
    member = Member.objects.get(pk=organiser.member.pk)
    html = client.get(member.get_absolute_url()).content.decode()
    assert 'type="image/webp"' in html and 'sizes="128px"' in html
    assert 'width="384" height="256"' in html and 'alt="Me at the meeting"' in html
    urls = re.findall(r"(/files/network/photos/\d+/[^ \"]+) \d+w", html)
    assert len(set(urls)) == 6
    for url in set(urls):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] in ("image/jpeg", "image/webp")
        assert response["X-Content-Type-Options"] == "nosniff"
        Image.open(io.BytesIO(body(response))).verify()


def test_a_transparent_logo_stays_png_and_a_small_image_is_not_enlarged(media_root):
    logo = io.BytesIO()
    Image.new("RGBA", (150, 50), (10, 120, 200, 0)).save(logo, format="PNG")
    organisation = OrganisationFactory(logo=SimpleUploadedFile("logo.png", logo.getvalue()))
    assert re.fullmatch(r"network/logos/[0-9a-f]{32}-150x50\.png", organisation.logo.name)
    assert sorted(n.rsplit("-", 1)[1] for n in stored_files(organisation.logo)[1:]) == [
        "150.webp",
        "96.png",
        "96.webp",
    ]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("me.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("me.html", b"<html><script>alert(1)</script></html>"),
        ("me.png", b"<html><script>alert(1)</script></html>"),
        # A polyglot: a GIF header with a script after it, under an image name.
        ("me.gif", b"GIF89a/*\x00\x00\x00\x00*/=1;alert(1)//<script>alert(1)</script>"),
        ("me.jpg", b"\xff\xd8\xff\xe0<script>alert(1)</script>"),
    ],
)
def test_svg_html_and_polyglot_files_are_refused_and_nothing_is_stored(client, organiser, media_root, name, content):
    client.force_login(organiser)
    response = upload_photo(client, organiser.member, content=content, name=name)
    assert response.status_code == 200
    assert "Upload a PNG, JPEG, GIF or WebP image." in response.content.decode()
    assert not Member.objects.get(pk=organiser.member.pk).photo
    assert not any(media_root.rglob("*.*"))


def test_a_real_image_with_a_script_appended_is_stored_as_pixels_alone(client, organiser):
    client.force_login(organiser)
    polyglot = image_bytes("PNG", size=(300, 300)) + b"<html><script>alert(1)</script></html>"
    assert upload_photo(client, organiser.member, content=polyglot, name="me.png").status_code == 302
    member = Member.objects.get(pk=organiser.member.pk)
    for name in stored_files(member.photo):
        with default_storage.open(name) as handle:
            assert b"<script" not in handle.read()


def test_a_form_error_elsewhere_keeps_the_stored_photo_and_shows_no_broken_image(client, organiser):
    client.force_login(organiser)
    upload_photo(client, organiser.member)
    before = Member.objects.get(pk=organiser.member.pk).photo.name
    response = upload_photo(client, organiser.member, display_name="")
    assert response.status_code == 200 and "upload-" not in response.content.decode()
    assert Member.objects.get(pk=organiser.member.pk).photo.name == before


# --- Who may see a picture --------------------------------------------------------------------


@pytest.fixture
def photos(organiser, media_root):
    """Members with a photo, one per visibility; the ``organiser`` owns the hidden one."""
    made = {}
    for visibility, user in (
        ("public", UserFactory(role="organiser")),
        ("members", UserFactory(role="organiser")),
        ("hidden", organiser),
    ):
        member = member_for(user, display_name=f"Photo {visibility}", visibility=visibility)
        member.photo = SimpleUploadedFile("p.png", image_bytes("PNG", size=(200, 200)))
        member.save()
        made[visibility] = member
    return made


# Who gets the photo (200); everyone else 404, as for the profile.
MAY_SEE = {
    "public": {"anonymous", "organiser", "other_organiser", "coordinator", "funder"},
    "members": {"organiser", "other_organiser", "coordinator", "funder"},
    "hidden": {"organiser", "coordinator"},  # its owner, and coordinators (the admin)
}


@pytest.mark.parametrize("role", ["anonymous", "organiser", "other_organiser", "coordinator", "funder"])
def test_a_photo_is_served_as_its_profile_is_visible(client_as, photos, role):
    client = client_as(role)
    for visibility, member in photos.items():
        for rendition in renditions(member.photo.name, member.photo.field.widths):
            url = reverse("network_files:photo", kwargs={"pk": member.pk, "name": rendition.served_name})
            response = client.get(url)
            expected = 200 if role in MAY_SEE[visibility] else 404
            assert response.status_code == expected, (visibility, role, rendition.served_name)
            if expected == 200:
                public = visibility == "public"
                assert response["Cache-Control"] == ("public, max-age=3600" if public else "private, no-store")


def test_only_the_names_of_a_pictures_files_are_served(client, photos):
    member = photos["public"]
    stem = member.photo.name.rsplit("/", 1)[1].rsplit(".", 1)[0]
    for name in (f"{stem}.png", f"{stem}-50.webp", f"{stem}-384.jpg", "0" * 32 + "-200x200.jpg", "..%2F..%2Fx"):
        assert client.get(f"/files/network/photos/{member.pk}/{name}").status_code == 404
    other = photos["members"]
    assert client.get(f"/files/network/photos/{other.pk}/{member.photo.name.rsplit('/', 1)[1]}").status_code == 404


def test_a_draft_exchanges_cover_is_served_to_coordinators_only(client_as, media_root):
    cover = SimpleUploadedFile("cover.jpg", image_bytes("JPEG", size=(1200, 600)))
    draft = ExchangeFactory(status=Exchange.Status.DRAFT, cover=cover)
    published = ExchangeFactory(status=Exchange.Status.PUBLISHED, cover=SimpleUploadedFile("c.png", image_bytes()))
    assert client_as("anonymous").get(draft.cover.url).status_code == 404
    assert client_as("organiser").get(draft.cover.url).status_code == 404
    assert client_as("coordinator").get(draft.cover.url).status_code == 200
    response = client_as("anonymous").get(published.cover.url)
    assert response.status_code == 200 and response["Cache-Control"] == "public, max-age=3600"


def test_an_organisations_logo_is_public(client, media_root):
    organisation = OrganisationFactory(logo=SimpleUploadedFile("l.gif", image_bytes("GIF", size=(300, 300))))
    response = client.get(organisation.logo.url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "public, max-age=3600"


# --- Initials, and the pictures on the list and detail pages ----------------------------------


def test_without_a_photo_initials_are_shown_hidden_from_screen_readers_beside_the_name(client, organiser):
    member = member_for(UserFactory(role="organiser"), display_name="Amina Warsame", visibility="members")
    client.force_login(organiser)
    for url in (reverse("network:member_list"), member.get_absolute_url()):
        html = client.get(url).content.decode()
        avatar = re.search(r'<span class="avatar[^"]*avatar-initials tone-(\d)" aria-hidden="true">AW</span>', html)
        assert avatar is not None, url
    # The colour is the name's, the same on every page.
    other = client.get(member.get_absolute_url()).content.decode()
    assert f"tone-{avatar.group(1)}" in other


def test_logos_photos_and_covers_show_on_list_cards_and_detail_pages(client, organiser, media_root):
    organisation = OrganisationFactory(
        name="Navet", logo=SimpleUploadedFile("l.png", image_bytes(size=(400, 400))), logo_alt="A wheel hub"
    )
    member = member_for(organiser, display_name="Photo Person", visibility="public")
    member.photo = SimpleUploadedFile("p.png", image_bytes(size=(400, 300)))
    member.save()
    MembershipFactory(member=member, organisation=organisation)
    exchange = ExchangeFactory(
        status=Exchange.Status.PUBLISHED,
        cover=SimpleUploadedFile("c.png", image_bytes(size=(2000, 1000))),
        cover_alt="People around a table",
    )
    client.force_login(organiser)
    pages = {
        reverse("network:organisation_list"): organisation.logo,
        organisation.get_absolute_url(): organisation.logo,
        reverse("network:member_list"): member.photo,
        member.get_absolute_url(): member.photo,
        reverse("exchanges:index"): exchange.cover,
        exchange.get_absolute_url(): exchange.cover,
    }
    for url, picture in pages.items():
        html = client.get(url).content.decode()
        assert f'src="{picture.url}"' in html, url
        assert re.search(r'srcset="[^"]+ \d+w, [^"]+ \d+w', html), url
    cover = client.get(exchange.get_absolute_url()).content.decode()
    assert 'alt="People around a table"' in cover and 'width="1600" height="800"' in cover


def test_people_show_beside_their_photos_and_upcoming_exchanges_beside_their_covers(client, organiser, media_root):
    """The organisation's people, who is going to an exchange, and the home page's upcoming
    exchanges carry their pictures (small ones), or initials hidden from screen readers."""
    organisation = OrganisationFactory(name="Navet")
    pictured = member_for(UserFactory(), display_name="Photo Person", visibility="public")
    pictured.photo = SimpleUploadedFile("p.png", image_bytes(size=(400, 300)))
    pictured.photo_alt = "Photo Person smiling"
    pictured.save()
    plain = member_for(UserFactory(), display_name="Initial Person", visibility="public")
    for member in (pictured, plain):
        MembershipFactory(member=member, organisation=organisation)
    exchange = ExchangeFactory(
        status=Exchange.Status.PUBLISHED,
        cover=SimpleUploadedFile("c.png", image_bytes(size=(2000, 1000))),
        cover_alt="People around a table",
    )
    for member in (pictured, plain):
        RegistrationFactory(exchange=exchange, user=member.user)
    client.force_login(organiser)
    small_photo = f'<img src="{pictured.photo.url}" alt="Photo Person smiling" class="avatar small"'
    initials = '<span class="avatar small avatar-initials tone-'
    for url in (organisation.get_absolute_url(), exchange.get_absolute_url()):
        html = client.get(url).content.decode()
        assert small_photo in html, url
        assert re.search(re.escape(initials) + r'\d" aria-hidden="true">IP</span>', html), url
    home = client.get(reverse("home")).content.decode()
    assert f'<img src="{exchange.cover.url}" alt="People around a table" class="thumb"' in home


def test_list_pages_keep_a_constant_number_of_queries_with_pictures(client, organiser, django_assert_num_queries):
    client.force_login(organiser)

    def add(n):
        for i in range(n):
            picture = SimpleUploadedFile("p.png", image_bytes(size=(20, 20)))
            organisation = OrganisationFactory(logo=picture)
            member = member_for(UserFactory(role="organiser"), display_name=f"Person {i}", visibility="members")
            member.photo = SimpleUploadedFile("p.png", image_bytes(size=(20, 20)))
            member.save()
            MembershipFactory(member=member, organisation=organisation)
            ExchangeFactory(status=Exchange.Status.PUBLISHED, cover=SimpleUploadedFile("c.png", image_bytes()))

    urls = [reverse("network:organisation_list"), reverse("network:member_list"), reverse("exchanges:index")]
    add(2)
    counts = {}
    for url in urls:
        cache.clear()
        with django_assert_num_queries(99, exact=False) as few:
            client.get(url)
        counts[url] = len(few.captured_queries)
    add(12)
    for url in urls:
        cache.clear()
        with django_assert_num_queries(counts[url]):
            assert client.get(url).content.decode().count("<picture>") >= 10


# --- Freeing files ----------------------------------------------------------------------------


def test_replacing_clearing_and_deleting_pictures_frees_their_files(
    client, organiser, django_capture_on_commit_callbacks
):
    client.force_login(organiser)
    with django_capture_on_commit_callbacks(execute=True):
        upload_photo(client, organiser.member)
    first = stored_files(Member.objects.get(pk=organiser.member.pk).photo)
    with django_capture_on_commit_callbacks(execute=True):
        upload_photo(client, organiser.member, content=image_bytes("JPEG", size=(100, 80)), name="new.jpg")
    second = stored_files(Member.objects.get(pk=organiser.member.pk).photo)
    assert not any(default_storage.exists(n) for n in first)
    assert all(default_storage.exists(n) for n in second)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("network:profile_edit"), profile_data(organiser.member, **{"photo-clear": "on"}))
    assert not Member.objects.get(pk=organiser.member.pk).photo
    assert not any(default_storage.exists(n) for n in second)

    organisation = OrganisationFactory(logo=SimpleUploadedFile("l.png", image_bytes(size=(300, 100))))
    logo = stored_files(organisation.logo)
    with django_capture_on_commit_callbacks(execute=True):
        Organisation.objects.filter(pk=organisation.pk).delete()
    assert not any(default_storage.exists(n) for n in logo)


def test_a_duplicated_exchange_has_a_cover_of_its_own(django_capture_on_commit_callbacks, media_root):
    exchange = ExchangeFactory(cover=SimpleUploadedFile("c.png", image_bytes(size=(1000, 500))))
    copy = exchange_services.exchange_duplicate(exchange=exchange)
    assert copy.cover and copy.cover.name != exchange.cover.name
    with django_capture_on_commit_callbacks(execute=True):
        copy.delete()
    assert all(default_storage.exists(n) for n in stored_files(exchange.cover))


def test_every_avatar_colour_has_aa_contrast_with_white_letters(settings):
    from core.templatetags.pictures import AVATAR_TONES

    css = (settings.BASE_DIR / "static" / "css" / "site.css").read_text()

    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    for n in range(AVATAR_TONES):
        match = re.search(rf"\.avatar\.tone-{n} \{{ background: #([0-9a-f]{{6}}); \}}", css)
        assert match is not None, n
        assert 1.05 / (luminance(match.group(1)) + 0.05) >= 4.5, match.group(1)
    assert re.search(r"\.avatar-initials \{[^}]*color: #fff", css)


# --- The organisation's logo, changed by its administrators ----------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 302), ("organiser", 403), ("administrator", 302), ("coordinator", 302), ("funder", 403)],
)
def test_only_the_organisations_administrators_and_coordinators_change_its_logo(
    client_as, organiser, other_organiser, role, status, media_root
):
    from network.models import Membership

    organisation = OrganisationFactory(name="Tillsammans Hjällbo")
    MembershipFactory(member=organiser.member, organisation=organisation)  # an approved plain member
    MembershipFactory(member=other_organiser.member, organisation=organisation, role=Membership.Role.ADMIN)
    client = client_as("other_organiser" if role == "administrator" else role)
    url = reverse("network:organisation_logo", args=[organisation.slug])
    detail = client.get(organisation.get_absolute_url()).content.decode()
    assert (url in detail) == (role in ("administrator", "coordinator"))
    if status == 403:
        assert client.get(url).status_code == 403
    logo = SimpleUploadedFile("logo.webp", image_bytes("WEBP", size=(500, 250)))
    response = client.post(url, {"logo": logo, "logo_alt": "A house with an open door"})
    assert response.status_code == status
    organisation.refresh_from_db()
    if role in ("administrator", "coordinator"):
        assert response["Location"] == organisation.get_absolute_url()
        assert re.fullmatch(r"network/logos/[0-9a-f]{32}-384x192\.jpg", organisation.logo.name)
        assert organisation.logo_alt == "A house with an open door"
        html = client.get(organisation.get_absolute_url()).content.decode()
        assert 'alt="A house with an open door"' in html and organisation.logo.url in html
    else:
        assert not organisation.logo


def test_a_refused_logo_shows_the_error_and_keeps_the_stored_logo(client, coordinator, media_root):
    organisation = OrganisationFactory(logo=SimpleUploadedFile("l.png", image_bytes(size=(100, 100))))
    client.force_login(coordinator)
    url = reverse("network:organisation_logo", args=[organisation.slug])
    response = client.post(url, {"logo": SimpleUploadedFile("l.svg", b"<svg/>"), "logo_alt": ""})
    assert response.status_code == 200 and "Upload a PNG, JPEG, GIF or WebP image." in response.content.decode()
    assert organisation.logo.url in response.content.decode()
    assert Organisation.objects.get(pk=organisation.pk).logo.name == organisation.logo.name


def test_the_admin_shows_and_links_every_kind_of_picture(client, coordinator, photos):
    client.force_login(coordinator)
    organisation = OrganisationFactory(logo=SimpleUploadedFile("l.png", image_bytes(size=(200, 100))))
    exchange = ExchangeFactory(cover=SimpleUploadedFile("c.png", image_bytes(size=(900, 450))))
    hidden = photos["hidden"]
    for url, picture in (
        (reverse("admin:network_member_change", args=[hidden.pk]), hidden.photo),
        (reverse("admin:network_organisation_change", args=[organisation.pk]), organisation.logo),
        (reverse("admin:exchanges_exchange_change", args=[exchange.pk]), exchange.cover),
    ):
        response = client.get(url)
        assert response.status_code == 200 and picture.url in response.content.decode(), url
        assert client.get(picture.url).status_code == 200
