"""Run inside `manage.py shell` by `tests.benchmarks.admin_pages` (one process per database and round).

Self-contained (Django, Wagtail and the models through the app registry), so the same probe measures
any checkout of the project, the one before a change included. Prints one JSON line:
{"communities": n, "pages": {"<user> <url>": {"status", "cpu_ms" (median), "queries", "bytes"}}}.
"""

import json
import os
import statistics
import time
from contextlib import suppress

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

PROJECT = ("portal.", "communities.", "participation.")
SKIP_SUFFIXES = ("export", "logout", "login", "jsi18n", "add", "results")


def project_admin_urls():
    """As `tests/communities/test_admin_query_counts.py`: every argument-free admin listing of the project."""
    from wagtail.admin.viewsets import viewsets
    from wagtail.admin.viewsets.base import ViewSetGroup

    viewsets.populate()

    def flat(items):
        for item in items:
            yield from flat(item.viewsets) if isinstance(item, ViewSetGroup) else [item]

    urls = set()
    for viewset in flat(viewsets.viewsets):
        model = getattr(viewset, "model", None)
        if isinstance(model, type) and model.__module__.startswith(PROJECT):
            for view in ("index", "add"):  # the listing and its create form
                with suppress(NoReverseMatch, AttributeError, TypeError):
                    urls.add(reverse(viewset.get_url_name(view)))

    def walk(patterns, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver) and not pattern.pattern.converters:
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern) and not pattern.pattern.converters:
                view = pattern.callback
                view = getattr(view, "view_class", None) or getattr(view, "__wrapped__", view)
                if getattr(view, "__module__", "").startswith(PROJECT):
                    yield "/" + prefix + str(pattern.pattern)

    for url in walk(get_resolver().url_patterns, ""):
        if url.startswith("/admin/") and "^" not in url and not url.rstrip("/").endswith(SKIP_SUFFIXES):
            urls.add(url)
    return sorted(urls)


def users(community):
    User = get_user_model()

    def user(username, **extra):
        found, _ = User.objects.get_or_create(username=username, defaults={"is_staff": True, **extra})
        return found

    superuser = user("bench-admin", is_superuser=True)
    street_editor = user("bench-street-editor")
    street_editor.groups.add(community.street.editors_group)
    worker = user("bench-worker")
    worker.groups.add(community.editors_group, community.moderators_group)
    return {"superuser": superuser, "street editor": street_editor, "community worker": worker}


def measure(client, url, requests):
    follow = url == "/admin/pages/"
    client.get(url, follow=follow)
    # Counted by an execute wrapper: CaptureQueriesContext saw none of the requests' queries here.
    queries = [0]

    def count(execute, sql, params, many, context):
        queries[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(url, follow=follow)
    cpu = []
    for _ in range(requests):
        started = time.process_time()
        client.get(url, follow=follow)
        cpu.append((time.process_time() - started) * 1000)
    return {
        "status": response.status_code,
        "cpu_ms": statistics.median(cpu),
        "queries": queries[0],
        "bytes": len(response.content),
    }


def main():
    Community = apps.get_model("regions", "Community")
    requests = int(os.environ.get("PROBE_REQUESTS", "5"))
    community = Community.objects.select_related("street").order_by("pk").first()
    named = [
        "/admin/",
        "/admin/pages/",
        f"/admin/pages/{community.root_page_id}/",
        f"/admin/pages/{community.street.page_id}/",
        "/admin/complaints/",
        "/admin/memberships/",
        "/admin/moderation/",
    ]
    only = os.environ.get("PROBE_ONLY_NAMED") == "1"
    listings = [] if only else [url for url in project_admin_urls() if url not in named]
    pages = {}
    host = os.environ.get("PORTAL_BASE_DOMAIN", "localhost")
    for who, user in users(community).items():
        client = Client(HTTP_HOST=host)
        client.force_login(user)
        for url in named + listings:
            label = url.replace(str(community.root_page_id), "<community>").replace(
                str(community.street.page_id), "<street>"
            )
            pages[f"{who} {label}"] = measure(client, url, requests)
    print("PROBE " + json.dumps({"communities": Community.objects.count(), "pages": pages}))


main()
