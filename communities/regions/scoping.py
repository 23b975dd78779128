"""The one place that decides which communities a user may act for as staff.

Every staff view, admin listing, API and consumer filters through `communities_for`.
"""

from django.db.models import Q, QuerySet

from .models import Community


def communities_for(user) -> QuerySet[Community]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Community.objects.none()
    if user.is_superuser:
        return Community.objects.all()
    groups = user.groups.all()
    return Community.objects.filter(
        Q(editors_group__in=groups)
        | Q(moderators_group__in=groups)
        | Q(street__editors_group__in=groups)
        | Q(street__parent__editors_group__in=groups)
        | Q(street__parent__parent__editors_group__in=groups)
    ).distinct()


def scope_queryset(queryset: QuerySet, user, field: str = "community") -> QuerySet:
    """Restrict any queryset with a community foreign key to what `user` may act for."""
    return queryset.filter(**{f"{field}__in": communities_for(user)})
