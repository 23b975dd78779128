from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import Column as WagtailColumn
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import DeleteView, EditView, SnippetViewSet, SnippetViewSetGroup

from portal.core.admin_scoping import CommunityScopedPolicy, CommunityScopedViewSetMixin
from portal.core.navigation import Section, is_community_site

from . import admin_views, phases
from .admin_forms import CandidateForm
from .models import Candidate, Election, Objection, Post, VoterListEntry

# Posts have no screen of their own (they are edited inside their election), but forms choose them:
# the one scoping policy narrows those choices to the user's communities.
register_permission_policy(Post, CommunityScopedPolicy(Post, community_field="election__community"))


class ScopedViewSet(CommunityScopedViewSetMixin, SnippetViewSet):
    copy_view_enabled = False


class ElectionDeleteView(DeleteView):
    """An election somebody voted in is a public record: it cannot be deleted."""

    def dispatch(self, request, *args, **kwargs):
        if Election.objects.filter(pk=unquote(str(kwargs["pk"])), roll__isnull=False).exists():
            messages.error(request, _("People have voted in this election: it is a public record."))
            return redirect(self.index_url_name)
        return super().dispatch(request, *args, **kwargs)


class ElectionEditView(EditView):
    def get(self, request, *args, **kwargs):
        uncontested = phases.uncontested_posts(self.object)
        if uncontested:
            messages.warning(
                request,
                _("Not contested (差额): the candidates do not outnumber the seats for %(posts)s.")
                % {"posts": "、".join(p.name for p in uncontested)},
            )
        return super().get(request, *args, **kwargs)


class WorkflowColumn(WagtailColumn):
    cell_template_name = "elections/admin/workflow_cell.html"


class ElectionViewSet(ScopedViewSet):
    model = Election
    icon = "tasks"
    menu_label = _("Elections")
    list_display = ["title", "community", "kind", "voting_starts", WorkflowColumn("workflow", label=_("Workflow"))]
    list_filter = ["kind"]
    search_fields = ["title"]
    delete_view_class = ElectionDeleteView
    edit_view_class = ElectionEditView
    edit_handler = ObjectList(Election.panels)


class CandidateViewSet(ScopedViewSet):
    """Nominations by the election committee are added here; residents' come from the site."""

    model = Candidate
    community_field = "election__community"
    icon = "user"
    menu_label = _("Candidates")
    list_display = ["person", "post", "election", "source", "status"]
    list_filter = ["status", "source"]
    edit_handler = ObjectList(Candidate.panels, base_form_class=CandidateForm)


class VoterListViewSet(ScopedViewSet):
    model = VoterListEntry
    community_field = "election__community"
    icon = "list-ul"
    menu_label = _("Voter lists")
    list_display = ["election", "number", "masked_name", "struck"]
    list_filter = ["struck"]
    add_view_enabled = False
    forbidden_actions = ["add"]
    panels = [FieldPanel("struck")]


class ObjectionEditView(EditView):
    """Resolving an objection: an upheld one changes the voter list; the resident is told."""

    def save_instance(self):
        instance = self.form.save(commit=False)
        phases.resolve_objection(instance, self.request.user, instance.status, instance.resolution)
        return instance


class ObjectionViewSet(ScopedViewSet):
    model = Objection
    community_field = "election__community"
    icon = "warning"
    menu_label = _("Voter list objections")
    list_display = ["election", "kind", "about_number", "status", "created_at"]
    list_filter = ["status", "kind"]
    add_view_enabled = False
    forbidden_actions = ["add"]
    edit_view_class = ObjectionEditView
    inspect_view_enabled = True
    panels = Objection.panels


class ElectionsGroup(SnippetViewSetGroup):
    items = (ElectionViewSet, CandidateViewSet, VoterListViewSet, ObjectionViewSet)
    menu_icon = "tasks"
    menu_label = _("Elections")
    menu_name = "elections"


register_snippet(ElectionsGroup)


@hooks.register("register_admin_urls")
def election_admin_urls():
    return [
        path("elections/<id:pk>/workflow/", admin_views.workflow, name="elections_workflow"),
        path("elections/<id:pk>/voter-list/", admin_views.publish_voter_list, name="elections_publish_list"),
        path("elections/<id:pk>/announce/", admin_views.announce, name="elections_announce"),
        path("elections/<id:pk>/next-round/", admin_views.open_next_round, name="elections_next_round"),
        path("elections/<id:pk>/paper-ballots/", admin_views.paper_ballot, name="elections_paper_ballot"),
    ]


@hooks.register("register_community_section")
def elections_section(request, site):
    if not is_community_site(site):
        return None
    return Section("elections", _("Elections"), reverse("elections:list"))
