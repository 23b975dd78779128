from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.views.generic import IndexView
from wagtail.admin.viewsets.model import ModelViewSet

from portal.core.admin_scoping import CommunityScopedViewSetMixin

from .models import Answer


class FreeTextIndexView(IndexView):
    queryset = Answer.objects.exclude(text_status="").select_related("response__poll")


class FreeTextAnswerViewSet(CommunityScopedViewSetMixin, ModelViewSet):
    """Moderators decide which free-text answers may be shown with the public results."""

    model = Answer
    community_field = "response__community"
    forbidden_actions = ("add",)  # answers come from residents only; an empty one cannot be stored
    icon = "comment"
    menu_label = _("Poll free-text answers")
    add_to_admin_menu = True
    menu_order = 320
    list_display = ["value", "question_key", "text_status", "response"]
    list_filter = ["text_status"]
    form_fields = ["text_status"]
    index_view_class = FreeTextIndexView


free_text_viewset = FreeTextAnswerViewSet("poll-free-text")


@hooks.register("register_admin_viewset")
def register_free_text_viewset():
    return free_text_viewset
