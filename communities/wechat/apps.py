from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityWeChatConfig(AppConfig):
    """The admin of portal.wechat's accounts and keyword replies, scoped to a worker's communities
    (portal.wechat cannot import the scoping mixin from communities, so its screens live here)."""

    name = "communities.wechat"
    label = "community_wechat"
    verbose_name = _("WeChat accounts of communities")

    def ready(self):
        from django.db.models.signals import post_migrate

        from .permissions import grant_wechat_permissions

        post_migrate.connect(grant_wechat_permissions, sender=self)
