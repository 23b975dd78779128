"""WeChat accounts and keyword replies in the admin, through the one admin scoping mixin."""

from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, HelpPanel, MultiFieldPanel, MultipleChooserPanel, ObjectList
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from portal.core.admin_scoping import CommunityScopedViewSetMixin, guard_object_urls, scoped_policy_for
from portal.wechat.models import Account, KeywordReply, MessageTemplate

from . import views
from .forms import AccountForm, KeywordReplyForm, MessageTemplateForm


class AccountStatusPanel(HelpPanel):
    """The callback URL to paste into WeChat's console, the last message and the last API error."""

    class BoundPanel(HelpPanel.BoundPanel):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            account = self.instance
            if account is None or not account.pk:
                self.content = format_html("<p>{}</p>", _("The callback URL is shown once the account is saved."))
                return
            rows = [
                (_("Callback URL (paste into WeChat's console, 服务器配置 > URL)"), account.callback_url()),
                (
                    _("Last message received"),
                    f"{account.last_message_at:%Y-%m-%d %H:%M} ({account.last_message})"
                    if account.last_message_at
                    else _("none yet"),
                ),
                (
                    _("Last API error"),
                    f"{account.last_error_at:%Y-%m-%d %H:%M} {account.last_error}"
                    if account.last_error_at
                    else _("none"),
                ),
            ]
            if account.kind == Account.Kind.SUBSCRIPTION:
                rows.append(
                    (
                        _("Note"),
                        _(
                            "A subscription account cannot send template messages or log residents in "
                            "(OAuth): those need a service account."
                        ),
                    )
                )
            items = format_html(
                "".join("<dt>{}</dt><dd><code>{}</code></dd>" for _row in rows), *[v for row in rows for v in row]
            )
            menu_link = format_html(
                '<p><a class="button button-secondary" href="{}">{}</a></p>',
                reverse("wechat_accounts:menu", args=[account.pk]),
                _("Preview and push the menu"),
            )
            self.content = format_html("<dl>{}</dl>{}", items, menu_link)


class AccountViewSet(CommunityScopedViewSetMixin, ModelViewSet):
    """Accounts, with a page per account that previews and pushes its menu."""

    model = Account
    icon = "mail"
    menu_label = _("WeChat accounts")
    list_display = ["name", "community", "kind", "mode", "last_message_at", "last_error"]
    list_filter = ["kind", "mode"]
    search_fields = ["name", "app_id"]
    inspect_view_enabled = True
    inspect_view_fields = [
        "name",
        "community",
        "app_id",
        "kind",
        "mode",
        "callback_url",
        "last_message_at",
        "last_message",
        "last_error_at",
        "last_error",
    ]
    edit_handler = ObjectList(
        [
            AccountStatusPanel(heading=_("Status")),
            FieldPanel("community"),
            FieldPanel("name"),
            FieldPanel("app_id"),
            FieldPanel("kind"),
            FieldPanel("mode"),
            MultiFieldPanel(
                [FieldPanel("new_app_secret"), FieldPanel("new_token"), FieldPanel("new_aes_key")],
                heading=_("Secrets (write-only)"),
            ),
            FieldPanel("welcome_text"),
        ],
        base_form_class=AccountForm,
    )

    def get_urlpatterns(self):
        def menu_view(request, pk):
            return views.menu(request, pk, self.permission_policy)

        # Guarded like the viewset's own object URLs: another community's account is a 404.
        menu_url = path("menu/<id:pk>/", menu_view, name="menu")
        return [*super().get_urlpatterns(), *guard_object_urls([menu_url], scoped_policy_for(self.model))]


class KeywordReplyViewSet(CommunityScopedViewSetMixin, ModelViewSet):
    model = KeywordReply
    icon = "comment"
    menu_label = _("Keyword replies")
    list_display = ["keyword", "match", "community"]
    list_filter = ["match", "community"]
    search_fields = ["keyword", "reply_text"]
    edit_handler = ObjectList(
        [
            FieldPanel("community"),
            FieldPanel("keyword"),
            FieldPanel("match"),
            FieldPanel("reply_text"),
            MultipleChooserPanel(
                "page_links",
                chooser_field_name="page",
                label=_("Links to pages"),
                help_text=_("Pages of this community's site, sent as links after the text."),
            ),
        ],
        base_form_class=KeywordReplyForm,
    )


class MessageTemplateViewSet(CommunityScopedViewSetMixin, ModelViewSet):
    """Which template message an account sends for each event, and its fields (service accounts only)."""

    model = MessageTemplate
    community_field = "account__community"
    icon = "mail"
    menu_label = _("Template messages")
    list_display = ["account", "event", "template_id"]
    list_filter = ["event"]
    search_fields = ["template_id"]
    edit_handler = ObjectList(
        [FieldPanel("account"), FieldPanel("event"), FieldPanel("template_id"), FieldPanel("fields")],
        base_form_class=MessageTemplateForm,
    )


account_viewset = AccountViewSet("wechat_accounts")
template_viewset = MessageTemplateViewSet("wechat_templates")
keyword_viewset = KeywordReplyViewSet("wechat_keywords")


class WeChatGroup(ViewSetGroup):
    menu_label = _("WeChat")
    menu_icon = "mail"
    menu_order = 170
    items = (account_viewset, keyword_viewset, template_viewset)


wechat_group = WeChatGroup()


@hooks.register("register_admin_viewset")
def register_wechat_viewsets():
    return wechat_group
