"""Admin scoping: ONE permission policy and ONE viewset mixin on the one scoping function.

Every Wagtail admin screen of a model whose rows belong to a community goes through here:

* `CommunityScopedPolicy` is the model's permission policy (registered in Wagtail's policy registry, so
  Wagtail's own code - bulk actions, choosers, the admin URL finder, reports - asks it too). It adds
  "the row's community is one the user may act for" (`portal.accounts.scoping.staff_communities`, which
  names `communities.regions.scoping.communities_for`) to Django's model permissions, or replaces them
  with "acts for some community" where a model has none (`model_permissions=False`).
* `CommunityScopedViewSetMixin` goes first in the bases of a `ModelViewSet` or `SnippetViewSet`. It
  registers the policy, and scopes EVERY view the viewset has, whatever Wagtail adds in a release:
  each URL with an object id (edit, delete, inspect, history, usage, copy, revisions, lock, workflow,
  preview, ...) answers 404 for an object outside the user's scope before the view runs; the listing
  (and its results, CSV/XLSX exports and filter choices) holds only rows in scope; the create/edit form
  offers and accepts only communities (and scoped rows) the user may act for; snippet choosers
  (choose, results, chosen, chosen-multiple) are scoped the same way.
* Bulk actions and the site-history / page-types reports use the same policy (see
  `portal/core/wagtail_hooks.py` and `portal/core/admin_sitewide.py`).
* Admin views that are not a viewset's (function views a part registers with `register_admin_urls`:
  complaint handling, the moderation form, paper ballots, ...) declare each object id of their URL with
  `@community_scoped_view(pk=Scoped(Complaint, to="complaint"))`: the object is looked up through the
  same policy's scope and handed to the view, or the request is a 404 before the view runs.
  `tests/portal/test_admin_scoping.py` walks every admin URL of the resolver: one with an id that is
  neither a scoped viewset's, nor declared here, nor on its justified list of non-scoped views fails it.

`portal` imports nothing from `communities` or `participation`: the Community model is found through
the scoping function's queryset.
"""

import re
from contextlib import suppress
from functools import cached_property, wraps

import django_filters
from django import forms
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Q
from django.forms import ModelMultipleChoiceField
from django.forms.models import modelform_factory
from django.http import Http404
from django.shortcuts import get_list_or_404
from django.utils.functional import classproperty
from django.utils.translation import gettext_lazy as _
from permissionedforms import PermissionedForm
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.forms.models import formfield_for_dbfield as wagtail_formfield_for_dbfield
from wagtail.admin.forms.models import registry as form_field_overrides
from wagtail.admin.widgets.chooser import BaseChooser
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import policy_registry, register_permission_policy
from wagtail.snippets.bulk_actions.delete import DeleteBulkAction
from wagtail.snippets.models import get_snippet_models
from wagtail.snippets.views.chooser import SnippetChooserViewSet

from portal.accounts.scoping import staff_communities

# The permissions an admin listing or lookup is about: a user with none of them sees no rows.
ANY_ACTION = ["view", "change", "delete", "add", "publish", "lock", "unlock", "choose"]


def community_model():
    """The Community model, without importing `communities` (portal sits below it)."""
    return staff_communities(None).model


def valid_pks(model, raw_pks):
    """The given keys that are well-formed for `model` (type and the database's range); others dropped."""
    field, valid = model._meta.pk, []
    for raw in raw_pks:
        try:
            value = field.to_python(raw)
            field.run_validators(value)
        except (ValidationError, ValueError, TypeError, OverflowError):
            continue
        valid.append(value)
    return valid


def acts_for_some_community(user) -> bool:
    """Whether `user` acts for any community; asked once per request (a listing asks it for every row)."""
    cached = getattr(user, "_acts_for_some_community", None)
    if cached is None:
        cached = staff_communities(user).exists()
        with suppress(AttributeError):  # a user object that takes no attributes asks every time
            user._acts_for_some_community = cached
    return cached


class CommunityScopedPolicy(ModelPermissionPolicy):
    """Model permissions (or "acts for a community") AND the row's community among the user's.

    `community_field` is the lookup from the model to its community ("community", "topic__community",
    or "pk" for the Community model itself). `forbidden` actions are refused to everyone, superusers too.
    Superusers act city-wide: they see every row, including rows without a community.
    """

    def __init__(self, model, community_field="community", forbidden=(), model_permissions=True):
        super().__init__(model)
        self.community_field = community_field
        self.forbidden = frozenset(forbidden)
        self.model_permissions = model_permissions

    # Which rows -------------------------------------------------------------------------------

    def scope(self, queryset, user):
        """`queryset` (of this policy's model) cut to the rows `user` may act for."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return queryset.none()
        if user.is_superuser:
            return queryset
        return queryset.filter(**{f"{self.community_field}__in": staff_communities(user)})

    def in_scope(self, user, instance) -> bool:
        if instance.pk is None:
            return False
        if instance.pk in self._listed(user):
            return True
        return self.pk_in_scope(user, instance.pk)

    def _listed(self, user) -> set:
        """Keys of this model's rows a scoped listing showed `user` in this request: known in scope."""
        listed = getattr(user, "_community_scoped_listed", None)
        if listed is None:
            listed = {}
            try:
                user._community_scoped_listed = listed
            except AttributeError:  # AnonymousUser and such: nothing is listed for them
                return set()
        return listed.setdefault(self.model, set())

    def remember_listed(self, user, rows) -> None:
        """Rows a scoped listing is showing `user`: asking their scope again per row costs a query each."""
        self._listed(user).update(row.pk for row in rows)

    def pk_in_scope(self, user, pk) -> bool:
        """Whether the row with this (URL) primary key exists and is in scope; a malformed key is not."""
        pks = valid_pks(self.model, [pk])
        return bool(pks) and self.scope(self.model._default_manager.filter(pk=pks[0]), user).exists()

    # Which actions ----------------------------------------------------------------------------

    def user_has_permission(self, user, action):
        if action in self.forbidden:
            return False
        if self.model_permissions:
            return super().user_has_permission(user, action)
        return bool(user.is_active and (user.is_superuser or acts_for_some_community(user)))

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def users_with_any_permission(self, actions):
        if self.model_permissions:
            return super().users_with_any_permission([a for a in actions if a not in self.forbidden])
        return get_user_model().objects.filter(is_active=True, is_superuser=True)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action) and self.in_scope(user, instance)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return self.user_has_any_permission(user, actions) and self.in_scope(user, instance)

    def instances_user_has_permission_for(self, user, action):
        return self.instances_user_has_any_permission_for(user, [action])

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return self.model._default_manager.none()
        return self.scope(self.model._default_manager.all(), user)


def scoped_policy_for(model):
    """The model's `CommunityScopedPolicy`, or None if the model is not community-scoped in the admin."""
    policy = policy_registry.get_by_type(model, fallback=False)
    return policy if isinstance(policy, CommunityScopedPolicy) else None


def scope_choices(queryset, user):
    """A form field's choices cut to what `user` may act for: communities, and rows of scoped models."""
    if queryset.model is community_model():
        return queryset if user.is_superuser else queryset.filter(pk__in=staff_communities(user).values("pk"))
    policy = scoped_policy_for(queryset.model)
    return policy.scope(queryset, user) if policy else queryset


# Forms ---------------------------------------------------------------------------------------


def _scope_fields(fields, user):
    for field in fields.values():
        queryset = getattr(field, "queryset", None)
        if queryset is not None and hasattr(queryset, "model"):
            field.queryset = scope_choices(queryset, user)


def _scope_formset(formset, user):
    """An inline formset's rows (and the empty row the admin copies for "add") choose in scope only."""
    for form in formset.forms:
        _scope_fields(form.fields, user)
    row_form = formset.form

    class ScopedRowForm(row_form):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            _scope_fields(self.fields, user)

    ScopedRowForm.__name__ = row_form.__name__
    formset.form = ScopedRowForm


class CommunitySlugsInput(forms.TextInput):
    """Several communities, as their slugs separated by spaces or commas (a field linking to many).

    Checkboxes or options would be one per community the user acts for: 700 for a city administrator
    on every visit to the form. The field checks each slug against the user's scope (a form error)."""

    help_text = _("Slugs of the communities (as in Communities), separated by spaces or commas.")

    def format_value(self, value):
        if not value:
            return ""
        return " ".join(str(item) for item in (value if isinstance(value, (list, tuple)) else [value]))

    def value_from_datadict(self, data, files, name):
        values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name) or ""]
        return [slug for value in values for slug in re.split(r"[\s,，、]+", str(value or "")) if slug]

    def value_omitted_from_data(self, data, files, name):
        return False  # an empty text box means "none"


class CommunityScopedFormMixin:
    """Every choice field of the form offers and accepts only what the editing user may act for.

    A field linking to communities or to rows of scoped models is narrowed to the user's scope, so a
    foreign choice is a form error. A many-to-many link (an organisation's "communities served") keeps
    the links the user cannot see: they are not the user's to remove. Only superusers act city-wide,
    so for anyone else a (single) community field is required even where the model allows none.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self, "for_user", None)
        self.kept_out_of_scope = {}
        if user is None:
            return
        for name, field in self.fields.items():
            queryset = getattr(field, "queryset", None)
            if queryset is None or not hasattr(queryset, "model"):
                continue
            field.queryset = scope_choices(queryset, user)
            if isinstance(field, ModelMultipleChoiceField):
                if queryset.model is community_model():
                    field.to_field_name, field.widget = "slug", CommunitySlugsInput()
                    field.help_text = field.help_text or CommunitySlugsInput.help_text
                if self.instance.pk and hasattr(self.instance, name):
                    linked = list(getattr(self.instance, name).all())  # a page revision's links, too
                    pks = [row.pk for row in linked]
                    allowed = set(field.queryset.filter(pk__in=pks).values_list("pk", flat=True))
                    self.kept_out_of_scope[name] = [row for row in linked if row.pk not in allowed]
                    if name in self.initial:  # shown (as a slug) and sent back: only what is in scope
                        self.initial[name] = [row for row in linked if row.pk in allowed]
                    if self.kept_out_of_scope[name]:
                        field.required = False
            elif queryset.model is community_model() and not user.is_superuser:
                field.required = True
        for formset in getattr(self, "formsets", {}).values():  # inline panels: their rows' choices too
            _scope_formset(formset, user)

    def clean(self):
        cleaned = super().clean()
        for name, kept in self.kept_out_of_scope.items():
            if kept and name in cleaned:
                cleaned[name] = [*cleaned[name], *kept]
        return cleaned


def scoped_form_class(form_class, formfield_callback=None):
    """`form_class` with `CommunityScopedFormMixin`; a plain ModelForm is rebuilt on Wagtail's admin form
    first, so that the view hands it the user (`for_user`)."""
    if issubclass(form_class, CommunityScopedFormMixin):
        return form_class
    if not issubclass(form_class, PermissionedForm):
        meta = form_class._meta
        form_class = modelform_factory(
            meta.model,
            form=WagtailAdminModelForm,
            fields=meta.fields,
            exclude=meta.exclude,
            formfield_callback=formfield_callback,
        )
    return type(f"CommunityScoped{form_class.__name__}", (CommunityScopedFormMixin, form_class), {})


# Views ---------------------------------------------------------------------------------------


def guard_object_urls(urlpatterns, policy):
    """Every URL with an object id answers 404 unless the object is in the user's scope.

    Done on the URL patterns rather than on each view class, so no view of the viewset (today's or a
    later Wagtail's) looks an object up without the scope being asked first.
    """
    for pattern in urlpatterns:
        view = pattern.callback
        if "pk" not in pattern.pattern.converters or getattr(view, "community_scoped", False):
            continue

        @wraps(view)
        def guarded(request, *args, _view=view, **kwargs):
            if not policy.pk_in_scope(request.user, unquote(str(kwargs["pk"]))):
                raise Http404
            return _view(request, *args, **kwargs)

        guarded.community_scoped = True
        guarded.scoped_policy = policy
        pattern.callback = guarded
    return urlpatterns


class ChooserFilterSet(WagtailFilterSet):
    """A listing's filter on a foreign key uses the model's registered chooser widget when it has one
    (`ChooserViewSet.register_widget`): a searchable modal, not a radio button per row (700 communities)."""

    @classmethod
    def filter_for_lookup(cls, field, lookup_type):
        filter_class, params = super().filter_for_lookup(field, lookup_type)
        if filter_class is django_filters.ModelChoiceFilter and getattr(field, "many_to_one", False):
            widget = (form_field_overrides.get(field) or {}).get("widget")
            if widget is not None:
                params.setdefault("widget", widget)
        return filter_class, params


def _is_forward_key(model, name) -> bool:
    if not isinstance(name, str):
        return False
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return field.many_to_one or (field.one_to_one and field.concrete)


class JoinedColumnsMixin:
    """An admin listing whose foreign-key columns are joined: a column showing a foreign key would otherwise
    cost a query per row."""

    def get_base_queryset(self):
        queryset = super().get_base_queryset()
        columns = getattr(self, "list_display", None)
        columns = columns if isinstance(columns, (list, tuple)) else ()  # Wagtail's UNDEFINED: its default columns
        joined = [name for name in columns if _is_forward_key(self.model, name)]
        return queryset.select_related(*joined) if joined else queryset


class ScopedListingMixin(JoinedColumnsMixin):
    """An admin listing (and its results, exports and filters) of only the rows in the user's scope."""

    base_filterset_class = ChooserFilterSet

    def get_base_queryset(self):
        return scoped_policy_for(self.model).scope(super().get_base_queryset(), self.request.user)

    def paginate_queryset(self, queryset, page_size):
        paginated = super().paginate_queryset(queryset, page_size)
        # Iterating fills the page's result cache: the listing then renders these same rows.
        scoped_policy_for(self.model).remember_listed(self.request.user, paginated[2])
        return paginated

    @cached_property
    def filters(self):
        filters = super().filters
        if filters is not None:
            for field in filters.form.fields.values():
                if getattr(field, "queryset", None) is not None:
                    field.queryset = scope_choices(field.queryset, self.request.user)
        return filters


class ScopedChooserListMixin:
    def get_object_list(self):
        return scoped_policy_for(self.model_class).scope(super().get_object_list(), self.request.user)


class ScopedChosenMultipleMixin:
    def get_objects(self, pks):
        valid = valid_pks(self.model_class, pks)
        return scoped_policy_for(self.model_class).scope(super().get_objects(valid), self.request.user)


def _with(mixin, view_class):
    if view_class is None or issubclass(view_class, mixin):
        return view_class
    return type(f"Scoped{view_class.__name__}", (mixin, view_class), {})


class ScopedChooserViewSetMixin:
    """Put first in the bases of a `ChooserViewSet` (or a snippet's) of a model with a scoped policy: the
    modal lists and searches only rows in scope, and `chosen/<pk>/` of another community is a 404."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.choose_view_class = _with(ScopedChooserListMixin, self.choose_view_class)
        self.choose_results_view_class = _with(ScopedChooserListMixin, self.choose_results_view_class)
        self.chosen_multiple_view_class = _with(ScopedChosenMultipleMixin, self.chosen_multiple_view_class)

    def get_urlpatterns(self):
        return guard_object_urls(super().get_urlpatterns(), scoped_policy_for(self.model))


class WellFormedChooser(BaseChooser):
    """A chooser widget that shows a malformed value sent back (a form with errors) as nothing chosen,
    instead of looking it up (Wagtail's widget raises ValueError: a 500)."""

    def get_instance(self, value):
        if value is not None and not isinstance(value, self.model_class):
            pks = valid_pks(self.model_class, [value])
            if not pks:
                return None
            value = pks[0]
        return super().get_instance(value)


class CommunityScopedChooserViewSet(ScopedChooserViewSetMixin, SnippetChooserViewSet):
    """A snippet chooser offering only rows in scope; `chosen/<pk>/` of another community is a 404."""


def search_filter_form(*fields):
    """A chooser modal's search box over `fields` (case-insensitive "contains", any of them), for a model
    outside the search index: a chooser of hundreds of rows is searched and paginated, never listed whole."""

    class SearchFilterForm(BaseFilterForm):
        q = forms.CharField(
            label=_("Search term"), widget=forms.TextInput(attrs={"placeholder": _("Search")}), required=False
        )

        def filter(self, objects):
            query = self.cleaned_data.get("q", "").strip()
            if query:
                condition = Q()
                for field in fields:
                    condition |= Q(**{f"{field}__icontains": query})
                objects = objects.filter(condition)
                self.is_searching, self.search_query = True, query
            return objects

    return SearchFilterForm


class CommunityScopedViewSetMixin:
    """Put first in the bases of a ModelViewSet or SnippetViewSet whose model belongs to a community.

    Declare `community_field` (lookup to the community), `forbidden_actions` (refused to everyone) and
    `model_permissions` (False: acting for a community is the permission). The viewset registers the
    model's `CommunityScopedPolicy` and scopes every view; see the module docstring.
    """

    community_field = "community"
    forbidden_actions = ()
    model_permissions = True
    chooser_viewset_class = CommunityScopedChooserViewSet

    def __init__(self, *args, **kwargs):
        policy = CommunityScopedPolicy(
            self.model,
            community_field=self.community_field,
            forbidden=self.forbidden_actions,
            model_permissions=self.model_permissions,
        )
        register_permission_policy(self.model, policy, exact_class=True)
        super().__init__(*args, **kwargs)
        self.index_view_class = _with(ScopedListingMixin, self.index_view_class)
        # Guard the final URL list, URLs a subclass adds after Wagtail's (e.g. a menu page) included.
        urlpatterns = self.get_urlpatterns
        self.get_urlpatterns = lambda: guard_object_urls(urlpatterns(), policy)

    def formfield_for_dbfield(self, db_field, **kwargs):
        """With Wagtail's form field overrides (as a panel's form has): a foreign key to a model with a
        registered chooser (a community) is chosen in its searched modal, not among a choice per row."""
        return wagtail_formfield_for_dbfield(db_field, **kwargs)

    def get_form_class(self, for_update=False):
        return scoped_form_class(super().get_form_class(for_update), self.formfield_for_dbfield)


# Bulk actions --------------------------------------------------------------------------------


class ScopedBulkActionMixin:
    """A bulk action (its confirmation page and its POST) over only the chosen rows in the user's scope.

    Wagtail lists the chosen rows the user may not act on by title ("items with no access"): rows of
    another community are left out instead, and a choice of nothing in scope is a 404.
    """

    def get_queryset(self, model, object_ids):
        pks = valid_pks(model, object_ids)
        rows = scoped_policy_for(model).scope(model._default_manager.filter(pk__in=pks), self.request.user)
        return get_list_or_404(rows)

    def get_all_objects_in_listing_query(self, parent_id):
        rows = scoped_policy_for(self.model).scope(self.model._default_manager.all(), self.request.user)
        return rows.values_list("pk", flat=True)


class CommunityScopedSnippetDeleteBulkAction(ScopedBulkActionMixin, DeleteBulkAction):
    """Wagtail's snippet bulk delete, registered after it for the community-scoped snippets (it wins)."""

    @classproperty
    def models(cls):
        return [model for model in get_snippet_models() if scoped_policy_for(model)]


# Function views ------------------------------------------------------------------------------


class Scoped:
    """One object id of an admin URL, resolved through the scope of its model's `CommunityScopedPolicy`.

    `model` is the model, or a callable taking the URL's other arguments and returning it (a generic URL
    such as the moderation form's content type + object id; it raises Http404 for a model it refuses).
    `community_field` is the lookup to the community when the model has no viewset registering its policy.
    `to` names the view argument that receives the object (default: the URL argument's own name).
    `also(user)` adds rows the user reaches for a reason other than acting for a community (a question
    addressed to the user's own organisation), so that the view still has one lookup.
    """

    def __init__(self, model, community_field="community", *, to=None, select_related=(), also=None):
        self.model = model
        self.community_field = community_field
        self.to = to
        self.select_related = select_related
        self.also = also

    @classmethod
    def community(cls, to="community"):
        """A community's own id (portal cannot import the Community model: it is found when asked)."""
        return cls(lambda **_arguments: community_model(), "pk", to=to)

    def model_for(self, arguments):
        return self.model if isinstance(self.model, type) else self.model(**arguments)

    def policy_for(self, model):
        if model is community_model():
            return scoped_policy_for(model) or CommunityScopedPolicy(model, "pk", model_permissions=False)
        return scoped_policy_for(model) or CommunityScopedPolicy(model, self.community_field, model_permissions=False)

    def queryset(self, user, arguments):
        """Every row of the model this user may reach through this URL."""
        model = self.model_for(arguments)
        rows = self.policy_for(model).scope(model._default_manager.all(), user)
        if self.also is not None and not user.is_superuser:
            rows = (rows | self.also(user)).distinct()
        return rows.select_related(*self.select_related) if self.select_related else rows

    def resolve(self, user, raw, arguments):
        model = self.model_for(arguments)
        pks = valid_pks(model, [raw])
        found = self.queryset(user, arguments).filter(pk=pks[0]).first() if pks else None
        if found is None:
            raise Http404
        return found


class NotACommunityRow:
    """A URL argument that names no row of a community (a content type), passed on as it is; `reason` says so."""

    def __init__(self, reason):
        self.reason = reason


def community_scoped_view(**arguments):
    """Declare how each id of a function view's URL is scoped: `Scoped(...)` or `NotACommunityRow(reason)`.

    Each `Scoped` argument is replaced by its object, looked up in the user's scope (a 404 when it is not
    there: another community's object, a missing one, a malformed id), for every method, before the view
    runs. The declaration stays on the view (`scoped_arguments`), so the enumerating test can check that
    every id of the URL is declared.
    """

    def decorate(view):
        @wraps(view)
        def scoped(request, *args, **kwargs):
            raw = dict(kwargs)
            for name, spec in arguments.items():
                if isinstance(spec, Scoped) and name in kwargs:
                    kwargs[spec.to or name] = spec.resolve(request.user, kwargs.pop(name), raw)
            return view(request, *args, **kwargs)

        scoped.community_scoped = True
        scoped.scoped_arguments = arguments
        return scoped

    return decorate
