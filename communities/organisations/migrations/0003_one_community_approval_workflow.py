"""Every community had its own organisations workflow and group-approval task (so Wagtail's dashboard
cost grew with the number of communities): move their pages, workflow states and task states onto the
ONE community approval workflow (`regions.CommunityApprovalTask`), then remove them.

A workflow is moved only if it is one this app made: one group-approval task, used on organisation
index pages only. A workflow an administrator built by hand is left as it is.
"""

from django.conf import settings
from django.db import migrations
from django.utils import translation
from django.utils.translation import gettext as _


def one_workflow(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    WorkflowState = apps.get_model("wagtailcore", "WorkflowState")
    TaskState = apps.get_model("wagtailcore", "TaskState")
    Task = apps.get_model("wagtailcore", "Task")
    CommunityApprovalTask = apps.get_model("regions", "CommunityApprovalTask")

    index_type = ContentType.objects.filter(app_label="community_organisations", model="organisationindexpage").first()
    group_task_type = ContentType.objects.filter(app_label="wagtailcore", model="groupapprovaltask").first()
    if index_type is None or group_task_type is None:
        return  # a fresh database: nothing was made per community
    ours = []
    for workflow in Workflow.objects.filter(workflow_pages__page__content_type=index_type).distinct():
        links = list(WorkflowTask.objects.filter(workflow=workflow).select_related("task"))
        only_indexes = not WorkflowPage.objects.filter(workflow=workflow).exclude(page__content_type=index_type).exists()
        if len(links) == 1 and links[0].task.content_type_id == group_task_type.pk and only_indexes:
            ours.append((workflow, links[0].task))
    if not ours:
        return

    task_type, _created = ContentType.objects.get_or_create(app_label="regions", model="communityapprovaltask")
    with translation.override(settings.LANGUAGE_CODE):
        task = CommunityApprovalTask.objects.filter(active=True).order_by("pk").first()
        if task is None:
            task = CommunityApprovalTask.objects.create(name=_("The community's staff approve"), content_type=task_type)
        workflow = Workflow.objects.filter(active=True, workflow_tasks__task=task).order_by("pk").first()
        if workflow is None:
            workflow = Workflow.objects.create(name=_("Community approval"), active=True)
            WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)

    old_workflows = [old.pk for old, _task in ours]
    old_tasks = [old_task.pk for _workflow, old_task in ours]
    WorkflowPage.objects.filter(workflow__in=old_workflows).update(workflow=workflow)
    WorkflowState.objects.filter(workflow__in=old_workflows).update(workflow=workflow)  # in progress and past
    TaskState.objects.filter(task__in=old_tasks).update(task=task)
    WorkflowTask.objects.filter(workflow__in=old_workflows).delete()
    Workflow.objects.filter(pk__in=old_workflows).delete()
    Task.objects.filter(pk__in=old_tasks).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("community_organisations", "0002_question"),
        ("regions", "0004_communityapprovaltask"),
        ("wagtailcore", "0098_apitoken"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(one_workflow, migrations.RunPython.noop)]
