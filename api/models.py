"""Personal access tokens: how a member's own programs read the API as that member.

A token is shown once, when it is made, and stored only as its SHA-256 digest (a token is 256
random bits, so a slow password hash would add nothing but latency to every API call). Only
the first characters (``prefix``) are kept in the clear, so that the member can tell their
tokens apart.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.validators import validate_single_line


class AccessTokenQuerySet(models.QuerySet):
    def of_user(self, user_id: int | None):
        """The tokens of one account (the person's own settings page)."""
        return self.filter(user_id=user_id) if user_id else self.none()

    def usable(self, now=None):
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))


class AccessToken(models.Model):
    class Scope(models.TextChoices):
        READ = "read", _("read only")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_tokens")
    name = models.CharField(_("name"), max_length=100, validators=[validate_single_line])
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices, default=Scope.READ)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=12, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    objects = AccessTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("personal access token")
        verbose_name_plural = _("personal access tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class OpenDataPackage(models.Model):
    """One nightly open-data package: a folder of gzipped CSV and JSON Lines files per resource,
    its ``datapackage.json`` and ``manifest.json``, under ``settings.OPEN_DATA_ROOT/<name>/``."""

    name = models.CharField(max_length=40, unique=True)  # "2026-12-07", the day it describes
    created_at = models.DateTimeField(auto_now_add=True)
    counts = models.JSONField(default=dict)  # resource → rows
    removed = models.JSONField(default=dict)  # resource → rows in the previous package, gone now
    files = models.JSONField(default=list)  # [{"name", "bytes", "sha256"}]

    class Meta:
        ordering = ["-name"]
        verbose_name = _("open-data package")
        verbose_name_plural = _("open-data packages")

    def __str__(self) -> str:
        return self.name
