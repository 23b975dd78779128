"""Who approves a page on the community approval task (`CommunityApprovalTask`), and which task states
a user may review: the page's community through the one scoping function, and Wagtail's publish right.

Each answer costs a fixed number of queries, whatever the number of communities.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Exists, OuterRef
from django.db.models.functions import Cast, Length, Substr
from django.utils import translation
from django.utils.translation import gettext as _
from wagtail.models import Page, TaskState, Workflow, WorkflowTask
from wagtail.permission_policies.pages import PagePermissionPolicy

from .models import CommunityApprovalTask
from .scoping import communities_for

_CACHE = "_community_approval_checks"


def ancestor_paths(path: str) -> list[str]:
    """The tree paths of a page and of all its ancestors (Wagtail's materialised path)."""
    step = Page.steplen
    return [path[:end] for end in range(step, len(path) + 1, step)]


def may_approve(obj, user) -> bool:
    """Whether `user` may approve (or request changes to) `obj` on the community approval task."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    path = getattr(obj, "path", None)
    if path is None:  # not a page: no community to resolve
        return False
    checks = getattr(user, _CACHE, None)
    if checks is None:
        checks = {}
        setattr(user, _CACHE, checks)
    if path not in checks:
        checks[path] = (
            obj.permissions_for_user(user).can_publish()
            and communities_for(user).filter(root_page__path__in=ancestor_paths(path)).exists()
        )
    return checks[path]


def pages_user_may_approve(user):
    """The pages `user` may approve: publishable by them, under a community they act for (a non-superuser)."""
    under_community = Exists(
        communities_for(user).filter(root_page__path=Substr(OuterRef("path"), 1, Length("root_page__path")))
    )
    return PagePermissionPolicy().instances_user_has_permission_for(user, "publish").filter(under_community)


def reviewable_task_states(task, user):
    """The in-progress states of `task` whose page `user` may approve: one query, any number of communities."""
    states = TaskState.objects.filter(task=task, status=TaskState.STATUS_IN_PROGRESS)
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return states.none()
    if user.is_superuser:
        return states
    page_ids = pages_user_may_approve(user).annotate(pk_text=Cast("pk", CharField())).values("pk_text")
    return states.filter(
        workflow_state__base_content_type=ContentType.objects.get_for_model(Page),
        workflow_state__object_id__in=page_ids,
    )


def community_approval_workflow() -> Workflow:
    """The one workflow of the community approval task (made on first use, found again after)."""
    task = CommunityApprovalTask.objects.filter(active=True).order_by("pk").first()
    with translation.override(settings.LANGUAGE_CODE):
        if task is None:
            task = CommunityApprovalTask.objects.create(name=_("The community's staff approve"))
        workflow = Workflow.objects.filter(active=True, workflow_tasks__task=task).order_by("pk").first()
        if workflow is None:
            workflow = Workflow.objects.create(name=_("Community approval"))
            WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    return workflow
