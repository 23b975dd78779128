"""A resident's WeChat bindings: in their data export, and deleted with their account."""

from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from portal.accounts import erasure, export
from portal.accounts.signals import personal_data_requested

from .models import Binding

export.register_labels(
    {
        "wechat_bindings": _("WeChat bindings"),
        "account__name": _("WeChat account"),
        "openid": _("openid"),
        "unionid": _("unionid"),
        "nickname": _("WeChat name"),
        "notifications": _("Messages through WeChat"),
    }
)
erasure.register_rows(Binding, own="user")


@receiver(personal_data_requested, dispatch_uid="wechat.export_bindings")
def export_bindings(sender, user, **kwargs):
    rows = Binding.objects.filter(user=user).order_by("created_at")
    fields = ("account__name", "openid", "unionid", "nickname", "notifications", "created_at")
    return {"wechat_bindings": list(rows.values(*fields))}
