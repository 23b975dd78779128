from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContentConfig(AppConfig):
    name = "participation.content"
    label = "user_content"
    verbose_name = _("User content")
