"""The vote benchmark's baseline: the cheapest authenticated write Django can do, in the same server.

Mounted only when the benchmark's gunicorn runs (its settings module is this file's `settings`
sibling, `tests.benchmarks.write_settings`); production and the test suite never route to it.
The view checks the session (the user is loaded, as every authenticated view does), the CSRF
middleware checks the token, and one row is inserted in its own transaction (ATOMIC_REQUESTS is off:
autocommit, one COMMIT).
"""

from django.db import connection
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.urls import path
from django.views.decorators.http import require_POST

from portal.urls import urlpatterns as portal_urlpatterns

TABLE = "bench_write"


def create_table() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {TABLE} (id integer PRIMARY KEY, user_id integer NOT NULL)")


@require_POST
def write(request):
    if not request.user.is_authenticated:
        return HttpResponseForbidden()
    row = request.POST.get("id", "")
    if not row.isdigit():
        return HttpResponseBadRequest()
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {TABLE} (id, user_id) VALUES (%s, %s)", [int(row), request.user.pk])
    return HttpResponse(status=204)


urlpatterns = [path("bench/write/", write, name="bench_write"), *portal_urlpatterns]
