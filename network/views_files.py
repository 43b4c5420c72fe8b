"""Organisation logos and member photos, served as their organisation and profile are visible.

* A logo is public: every organisation is listed on the public directory, so shared caches
  may keep it for an hour.
* A photo is as visible as its profile (``Member.objects.photos_visible_to``): a public
  profile's photo is public; a members-only profile's photo goes to signed-in people, a hidden
  one's to its owner and coordinators (``Cache-Control: private, no-store``); everyone else
  gets 404, as for the profile.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from core.pictures import picture_response
from core.policy import ANONYMOUS
from network.models import Member, Organisation


def logo(request, pk: int, name: str):
    organisation = get_object_or_404(Organisation.objects.only("pk", "logo"), pk=pk)
    return picture_response(request, organisation.logo, name, public=True)


def photo(request, pk: int, name: str):
    member = get_object_or_404(Member.objects.photos_visible_to(request.viewer).only("pk", "photo"), pk=pk)
    public = Member.objects.photos_visible_to(ANONYMOUS).filter(pk=pk).exists()
    return picture_response(request, member.photo, name, public=public)
