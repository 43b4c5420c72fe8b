"""Exchange cover images, served as their exchange is visible (``Exchange.objects.visible_to``):
a draft's cover only to coordinators, an announced exchange's to everyone (then shared caches
may keep it for an hour); everyone else gets 404, as for the exchange."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from core.pictures import picture_response
from core.policy import ANONYMOUS
from exchanges.models import Exchange


def cover(request, pk: int, name: str):
    exchange = get_object_or_404(Exchange.objects.visible_to(request.viewer).only("pk", "cover"), pk=pk)
    public = Exchange.objects.visible_to(ANONYMOUS).filter(pk=pk).exists()
    return picture_response(request, exchange.cover, name, public=public)
