"""The admin form of every public page type: a Chinese (or empty) slug becomes a short ASCII one."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.models import Page

from .slugs import needs_short_slug, short_slug


def unique_slug(base: str, parent, page=None) -> str:
    """`base`, or `base-2`, `base-3`, ... : the first free among the parent's children."""
    candidate, number = base, 1
    while parent is not None and not Page._slug_is_available(candidate, parent, page):
        number += 1
        candidate = f"{base}-{number}"
    return candidate


class PortalPageForm(WagtailAdminPageForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            self.fields["slug"].required = False
            self.fields["slug"].help_text = _(
                "The last part of the page's address, in Latin letters. Leave it empty: "
                "it is made from the title (in pinyin), or from the date."
            )

    def clean_slug(self):
        slug = self.cleaned_data.get("slug", "")
        editing = self.instance.pk is not None
        if slug and (editing or not needs_short_slug(slug)):
            return slug  # an existing page keeps the address people have linked to
        title = self.cleaned_data.get("title") or self.data.get("title", "")
        return unique_slug(short_slug(title), self.parent_page, self.instance)
