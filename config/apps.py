from django.contrib.admin.apps import AdminConfig


class LearningLabAdminConfig(AdminConfig):
    """Django's admin with our site (``config.admin``): the coordinators' dashboard."""

    default_site = "config.admin.LearningLabAdminSite"
