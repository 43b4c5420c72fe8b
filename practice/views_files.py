"""Guide images, served as the guide they belong to is visible, and the pictures of joint
action updates, served as their joint action is.

An image of a guide that everyone may read (``Guide.objects.visible_to`` an anonymous viewer)
is public: its answer does not depend on who asks, so shared caches may keep it for an hour. An
image of a draft or of a guide in review is sent only to those who may read that guide
(``Cache-Control: private, no-store``); everyone else gets 404, as for the guide.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from core.files import file_response
from core.pictures import picture_response
from core.policy import ANONYMOUS
from core.uploads import IMAGE_EXTENSIONS
from practice.models import Guide, GuideImage, JointAction, JointActionUpdate


def image(request, pk: int, name: str):
    item = get_object_or_404(GuideImage.objects.only("pk", "file", "guide_id"), pk=pk)
    # The URL carries the random stored name: a stale or guessed one finds nothing.
    if not item.file or item.file.served_name != name:
        raise Http404
    public = Guide.objects.visible_to(ANONYMOUS).filter(pk=item.guide_id).exists()
    if not public and not Guide.objects.visible_to(request.viewer).filter(pk=item.guide_id).exists():
        raise Http404
    return file_response(request, item.file, allowed=IMAGE_EXTENSIONS, public=public)


def update_picture(request, pk: int, name: str):
    """A joint action update's picture, served as the joint action is visible (drafts to
    coordinators only); public, and cacheable, once everyone may see the action."""
    update = get_object_or_404(
        JointActionUpdate.objects.filter(joint_action__in=JointAction.objects.visible_to(request.viewer)).only(
            "pk", "picture", "joint_action_id"
        ),
        pk=pk,
    )
    public = JointAction.objects.visible_to(ANONYMOUS).filter(pk=update.joint_action_id).exists()
    return picture_response(request, update.picture, name, public=public)
