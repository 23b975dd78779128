from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WeChatConfig(AppConfig):
    name = "portal.wechat"
    label = "wechat"
    verbose_name = _("WeChat Official Accounts")

    def ready(self):
        from portal.notifications import channels

        from . import checks, config, handlers, privacy  # noqa: F401  (system checks; built-in handlers; export, erasure)
        from .delivery import deliver

        channels.register(deliver)  # notifications as template messages
        config.connect()  # the per-process map of accounts and keyword replies forgets on change
