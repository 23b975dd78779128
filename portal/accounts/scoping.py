"""Staff scoping seen from portal: calls the one scoping function named by PORTAL_STAFF_COMMUNITIES.

portal never imports communities; the settings (a composition point) name
`communities.regions.scoping.communities_for`, so there is still exactly one scoping function.
"""

from django.conf import settings
from django.db.models import QuerySet
from django.utils.module_loading import import_string


def staff_communities(user) -> QuerySet:
    return import_string(settings.PORTAL_STAFF_COMMUNITIES)(user)
