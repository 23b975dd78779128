"""Wagtail's site-wide admin pages over every community, cut to what the user may act for (see admin_scoping).

* Site history (`/admin/reports/site-history/`): Wagtail shows a model's log entries to anyone with
  some permission on the model. Here entries about rows of community-scoped models are shown only for
  rows in the user's scope (the model's `CommunityScopedPolicy`), and so are the users, actions and
  types its filters offer.
* Page types usage (`/admin/reports/page-types-usage/`): Wagtail counts every page and names the last
  edited page of each type, drafts of other communities included. Here it counts and names only pages
  the user may explore.

Mounted in `portal/urls.py` ahead of Wagtail's admin URLs, at the same paths (the names Wagtail reverses
lead here too).
"""

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Count, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Cast
from django.urls import path
from wagtail.admin.auth import require_admin_access
from wagtail.admin.filters import ContentTypeFilter
from wagtail.admin.views.reports.audit_logging import LogEntriesView, SiteHistoryReportFilterSet
from wagtail.admin.views.reports.page_types_usage import PageTypesUsageReportView
from wagtail.log_actions import registry as log_action_registry
from wagtail.models import Page
from wagtail.permissions import policy_registry

from .admin_scoping import scoped_policy_for

# Site history --------------------------------------------------------------------------------


def scope_log_entries(entries, user):
    """Log entries about rows of community-scoped models only where the row is in the user's scope."""
    if user.is_superuser or not any(field.name == "object_id" for field in entries.model._meta.fields):
        return entries  # page log entries: Wagtail keeps them to the pages the user may explore
    scoped = [(model, policy) for model in apps.get_models() if (policy := scoped_policy_for(model))]
    content_types = ContentType.objects.get_for_models(*(model for model, _ in scoped), for_concrete_models=False)
    visible = ~Q(content_type__in=list(content_types.values()))
    for model, policy in scoped:
        keys = policy.scope(model._default_manager.all(), user).annotate(_key=Cast("pk", CharField())).values("_key")
        visible |= Q(content_type=content_types[model], object_id__in=keys)
    return entries.filter(visible)


def viewable_log_entries(log_model, user):
    return scope_log_entries(log_model.objects.viewable_by_user(user), user)


def log_models():
    return list(log_action_registry.get_log_entry_models())


def users_for_filter(user):
    ids = set()
    for log_model in log_models():
        ids.update(viewable_log_entries(log_model, user).get_user_ids())
    User = get_user_model()
    return User.objects.filter(pk__in=ids).order_by(User.USERNAME_FIELD)


def content_types_for_filter(user):
    ids = set()
    for log_model in log_models():
        ids.update(viewable_log_entries(log_model, user).get_content_type_ids())
    return ContentType.objects.filter(pk__in=ids).order_by("model")


def actions_for_filter(user):
    actions = set()
    for log_model in log_models():
        actions.update(viewable_log_entries(log_model, user).get_actions())
    return [choice for choice in log_action_registry.get_choices() if choice[0] in actions]


class ScopedSiteHistoryFilterSet(SiteHistoryReportFilterSet):
    object_type = ContentTypeFilter(
        label=SiteHistoryReportFilterSet.base_filters["object_type"].label,  # Wagtail's, translated by Wagtail
        method="filter_object_type",
        queryset=lambda request: content_types_for_filter(request.user),
    )

    def get_action_choices(self):
        return actions_for_filter(self.request.user)

    def get_user_choices(self):
        return users_for_filter(self.request.user)

    def get_users_queryset(self):
        return users_for_filter(self.request.user)


class ScopedLogEntriesView(LogEntriesView):
    filterset_class = ScopedSiteHistoryFilterSet

    def get_filtered_queryset(self):
        # Wagtail's own method, with the scoped entries: one values() query per log model, united.
        queryset = None
        self.log_models = log_models()
        for index, log_model in enumerate(self.log_models):
            entries = (
                viewable_log_entries(log_model, self.request.user)
                .values("pk", "timestamp")
                .annotate(log_model_index=Value(index, output_field=IntegerField()))
            )
            entries = self.filter_queryset(entries).order_by()
            queryset = entries if queryset is None else queryset.union(entries, all=True)
        return queryset.order_by("-timestamp")


# Page types usage ----------------------------------------------------------------------------


class ScopedPageTypesUsageReportView(PageTypesUsageReportView):
    def get_queryset(self):
        user = self.request.user
        if user.is_superuser:
            return super().get_queryset()
        queryset = ContentType.objects.filter(model__in=self.page_models)
        self.queryset = queryset
        queryset = self.filter_queryset(queryset)
        pages = policy_registry.get_by_type(Page).explorable_instances(user).filter(depth__gt=1)
        latest, counted = {"pk__in": pages.values("pk")}, {"pages__in": pages.values("pk")}
        language_code = self.filters.form.cleaned_data.get("page_locale", None)
        site_root_path = self.filters.form.cleaned_data.get("site", None)
        if language_code:
            latest["locale__language_code"] = counted["pages__locale__language_code"] = language_code
        if site_root_path:
            latest["path__startswith"] = counted["pages__path__startswith"] = site_root_path
        last_edited = Page.objects.filter(content_type=OuterRef("pk"), **latest).order_by(
            F("latest_revision_created_at").desc(nulls_last=True), "title", "-pk"
        )
        queryset = queryset.annotate(
            count=Count("pages", filter=Q(**counted)),
            last_edited_page_id=Subquery(last_edited.values("pk")[:1]),
        )
        return queryset.order_by("-count", "app_label", "model")


urlpatterns = [
    path("reports/site-history/", require_admin_access(ScopedLogEntriesView.as_view())),
    path("reports/site-history/results/", require_admin_access(ScopedLogEntriesView.as_view(results_only=True))),
    path("reports/page-types-usage/", require_admin_access(ScopedPageTypesUsageReportView.as_view())),
    path(
        "reports/page-types-usage/results/",
        require_admin_access(ScopedPageTypesUsageReportView.as_view(results_only=True)),
    ),
]
