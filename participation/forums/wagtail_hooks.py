from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from portal.core.admin_scoping import CommunityScopedViewSetMixin

from .models import ForumCategory, Thread


class CategoryViewSet(CommunityScopedViewSetMixin, ModelViewSet):
    """Anyone who acts for a community manages its categories (no model permissions are handed out)."""

    model = ForumCategory
    model_permissions = False
    form_fields = ["community", "name", "slug", "description", "sort_order"]
    list_display = ["name", "community", "slug", "sort_order"]
    icon = "folder-open-inverse"
    name = "forum_categories"


class ThreadViewSet(CommunityScopedViewSetMixin, ModelViewSet):
    """Pinning only: hiding and locking go through the moderation screen, which logs them.

    Residents start threads on the site; removal is a logged moderation action, not a delete."""

    model = Thread
    model_permissions = False
    forbidden_actions = ("add", "delete")
    form_fields = ["pinned"]
    list_display = ["title", "community", "category", "reply_count", "pinned", "locked", "moderation_state"]
    list_filter = ["pinned", "locked", "moderation_state"]
    search_fields = ["title"]
    icon = "comment"
    name = "forum_threads"


class ForumGroup(ViewSetGroup):
    menu_label = _("Forum")
    menu_icon = "comment"
    items = (CategoryViewSet, ThreadViewSet)


@hooks.register("register_admin_viewset")
def register_forum_viewsets():
    return ForumGroup()


@hooks.register("register_account_menu_item")
def forums_account_menu(request):
    from django.urls import reverse

    from portal.core.navigation import AccountLink

    return AccountLink("posts", _("My posts"), reverse("forums:mine"), 30)
