"""Admin forms: secrets are write-only (never rendered back; blank keeps the stored one), and a
keyword reply may link only to pages of its own community's site."""

import base64
import binascii
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from portal.core.admin_scoping import CommunityScopedFormMixin

SECRET_FIELDS = {
    # form field: (model property, label, help)
    "new_app_secret": ("app_secret", _("app secret"), _("From WeChat's console (基本配置 > AppSecret).")),
    "new_token": ("token", _("token"), _("The token you entered in WeChat's console (服务器配置 > Token).")),
    "new_aes_key": (
        "aes_key",
        _("EncodingAESKey"),
        _("43 characters, from WeChat's console (服务器配置 > EncodingAESKey); needed in compatible and safe modes."),
    ),
}
KEPT = _("Stored. Leave empty to keep it; it is never shown again.")


def secret_field(label, help_text):
    return forms.CharField(
        label=label,
        required=False,
        strip=True,
        help_text=help_text,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )


class AccountForm(CommunityScopedFormMixin, WagtailAdminModelForm):
    new_app_secret = secret_field(*SECRET_FIELDS["new_app_secret"][1:])
    new_token = secret_field(*SECRET_FIELDS["new_token"][1:])
    new_aes_key = secret_field(*SECRET_FIELDS["new_aes_key"][1:])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, (attribute, _label, help_text) in SECRET_FIELDS.items():
            if name in self.fields and getattr(self.instance, f"{attribute}_encrypted", ""):
                self.fields[name].help_text = f"{help_text} {KEPT}"

    def clean_new_token(self):
        token = self.cleaned_data["new_token"]
        if token and not (3 <= len(token) <= 32 and token.isalnum()):
            raise ValidationError(_("The token is 3 to 32 letters or digits."))
        return token

    def clean_new_aes_key(self):
        key = self.cleaned_data["new_aes_key"]
        if key:
            try:
                valid = len(key) == 43 and len(base64.b64decode(key + "=", validate=True)) == 32
            except (binascii.Error, ValueError):
                valid = False
            if not valid:
                raise ValidationError(_("An EncodingAESKey is 43 characters of base64 (32 bytes)."))
        return key

    def save(self, commit=True):
        for name, (attribute, _label, _help) in SECRET_FIELDS.items():
            value = self.cleaned_data.get(name)
            if value:
                setattr(self.instance, attribute, value)
        return super().save(commit=commit)


class KeywordReplyForm(CommunityScopedFormMixin, WagtailAdminModelForm):
    """The reply's pages come from the `page_links` formset (a page chooser each): they are checked once
    the formset is valid, since a form's clean() runs before its formsets'."""

    def is_valid(self):
        if not super().is_valid():
            return False
        community = self.cleaned_data.get("community")
        links = [
            form
            for form in self.formsets["page_links"].forms
            if form.cleaned_data.get("page") and not form.cleaned_data.get("DELETE")
        ]
        for form in links:
            page = form.cleaned_data["page"]
            if page.pk != community.root_page_id and not page.is_descendant_of(community.root_page):
                form.add_error("page", _("Only pages of this community's site: %(pages)s") % {"pages": page.title})
        if not (self.cleaned_data.get("reply_text") or "").strip() and not links:
            self.add_error(None, _("Give a reply text, pages to link, or both."))
        return not self.errors and all(not form.errors for form in links)


class MessageTemplateForm(CommunityScopedFormMixin, WagtailAdminModelForm):
    def clean_account(self):
        account = self.cleaned_data.get("account")
        if account is not None and account.kind != account.Kind.SERVICE:
            raise ValidationError(
                _("Template messages need a service account; %(account)s is a subscription account.")
                % {"account": account}
            )
        return account

    def clean_fields(self):
        from portal.wechat.models import MessageTemplate

        fields = self.cleaned_data.get("fields")
        if not isinstance(fields, dict) or not fields:
            raise ValidationError(_('Give the template\'s fields as {"field name": "text"}.'))
        known = {"{" + name + "}" for name in MessageTemplate.PLACEHOLDERS}
        for name, text in fields.items():
            if not isinstance(text, str) or not str(name).strip():
                raise ValidationError(_('Give the template\'s fields as {"field name": "text"}.'))
            unknown = set(re.findall(r"\{[^{}]*\}", text)) - known
            if unknown:
                raise ValidationError(
                    _("Unknown placeholders: %(unknown)s. Use %(known)s.")
                    % {"unknown": "、".join(sorted(unknown)), "known": "、".join(sorted(known))}
                )
        return fields
