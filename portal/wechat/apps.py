from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WeChatConfig(AppConfig):
    name = "portal.wechat"
    label = "wechat"
    verbose_name = _("WeChat Official Accounts")

    def ready(self):
        from . import checks, handlers  # noqa: F401  (system checks; the built-in message handlers)
