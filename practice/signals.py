"""Keep each guide work's published state (languages, date) in step with its versions, and say
what bumps the ``practice`` namespace of the fragment cache (``core.cache``): guides and their
works, revisions, images, characteristics, joint actions, their updates and participations,
and the links from works and joint actions to guides, exchanges and evidence records.

What the practice fragments show of other apps (names of themes, organisations and members;
which exchanges and evidence records an audience may see) is those apps' namespaces, on
which the fragments depend as well (``practice.views``)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from core import cache
from practice.models import (
    NAMESPACE,
    Characteristic,
    Guide,
    GuideImage,
    GuideRevision,
    GuideWork,
    JointAction,
    JointActionUpdate,
    Participation,
)


@receiver(post_save, sender=Guide, dispatch_uid="practice_guide_saved_work_state")
@receiver(post_delete, sender=Guide, dispatch_uid="practice_guide_deleted_work_state")
def guide_changed(sender, instance: Guide, raw: bool = False, **kwargs) -> None:
    if raw:
        return
    GuideWork(pk=instance.work_id).refresh_published()


cache.watch(
    NAMESPACE,
    Guide,
    GuideWork,
    GuideRevision,
    GuideImage,
    Characteristic,
    JointAction,
    JointActionUpdate,
    Participation,
    GuideWork.characteristics.through,
    GuideWork.themes.through,
    GuideWork.organisations.through,
    GuideWork.related_guides.through,
    GuideWork.evidence_records.through,
    GuideWork.exchanges.through,
    Guide.authors.through,
    JointAction.guides.through,
    JointAction.exchanges.through,
    JointAction.evidence_records.through,
)
