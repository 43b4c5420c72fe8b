"""Keep each guide work's published state (languages, date) in step with its versions, and
invalidate the cached practice fragments (``practice/cache.py``) on every change that could
alter them: guides and their works, revisions, images, characteristics, joint actions, their
updates and participations, and what the fragments show of other apps (themes, organisations,
member names, exchanges, evidence records and their consents)."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from evidence.models import Consent, EvidenceRecord
from exchanges.models import Exchange
from network.models import Member, Organisation, Theme, User
from practice.cache import practice_changed
from practice.models import (
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


@receiver(post_save, sender=User, dispatch_uid="practice_user_changed")
def user_changed(sender, instance: User, update_fields=None, **kwargs) -> None:
    # A login only stamps last_login: no author name changes.
    if update_fields is not None and set(update_fields) <= {"last_login", "password"}:
        return
    practice_changed()


_MODELS = (
    Guide,
    GuideWork,
    GuideRevision,
    GuideImage,
    Characteristic,
    JointAction,
    JointActionUpdate,
    Participation,
    Theme,
    Organisation,
    Member,
    Exchange,
    EvidenceRecord,
    Consent,  # a story is visible only with the consent of the people in it
)
for _model in _MODELS:
    post_save.connect(practice_changed, sender=_model, dispatch_uid=f"practice_changed_save_{_model.__name__}")
    post_delete.connect(practice_changed, sender=_model, dispatch_uid=f"practice_changed_delete_{_model.__name__}")
post_delete.connect(practice_changed, sender=User, dispatch_uid="practice_changed_delete_User")

_THROUGH = (
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
for _through in _THROUGH:
    m2m_changed.connect(practice_changed, sender=_through, dispatch_uid=f"practice_changed_m2m_{_through.__name__}")
