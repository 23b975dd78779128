from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from .models import ForumPage

SLUG = "forum"


def add_forum_page(community) -> ForumPage | None:
    """The forum's menu entry under the community's home page (its URL is /forum/, served by the forum views)."""
    home = community.root_page
    existing = ForumPage.objects.child_of(home).first()
    if existing is not None:
        return None
    with translation.override(settings.LANGUAGE_CODE):
        page = ForumPage(title=_("Community forum"), slug=SLUG, show_in_menus=True)
    home.add_child(instance=page)
    return page
