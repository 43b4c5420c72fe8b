"""Keep each guide work's published state (languages, date) in step with its versions."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from practice.models import Guide, GuideWork


@receiver(post_save, sender=Guide, dispatch_uid="practice_guide_saved_work_state")
@receiver(post_delete, sender=Guide, dispatch_uid="practice_guide_deleted_work_state")
def guide_changed(sender, instance: Guide, raw: bool = False, **kwargs) -> None:
    if raw:
        return
    GuideWork(pk=instance.work_id).refresh_published()
