"""Partners' keys in the admin: issued (shown once, stored hashed), scoped to the user's communities."""

import re

from django.contrib.auth.models import Permission

from portal.api import keys
from portal.api.models import ApiKey


def test_a_street_worker_issues_a_key_for_their_communities_only(city, make_user, host_client):
    from portal.accounts.permissions import grant_worker_permissions

    worker = make_user("key-worker", is_staff=True)
    grant_worker_permissions(city["a1"].editors_group)
    worker.groups.add(city["a1"].editors_group)
    worker.user_permissions.add(*Permission.objects.filter(content_type__app_label="portal_api"))
    client = host_client("localhost", worker)
    response = client.post(
        "/admin/api_keys/new/",
        {"partner": "街道App", "communities": city["a1"].slug, "requests_per_minute": 30},
        follow=True,
    )
    key = ApiKey.objects.get(partner="街道App")
    shown = [str(m) for m in response.context["messages"]]
    plain = re.search(rf"{key.prefix}\.[\w-]+", " ".join(shown)).group(0)
    assert keys.authenticate(plain) == key and plain not in key.key_hash
    assert key.created_by == worker
    # Another community is not the worker's to give.
    refused = client.post(
        "/admin/api_keys/new/", {"partner": "越界", "communities": city["b1"].slug, "requests_per_minute": 30}
    )
    assert refused.status_code == 200 and not ApiKey.objects.filter(partner="越界").exists()
    other, _plain = keys.issue("别处", [city["b1"]])
    assert client.get(f"/admin/api_keys/edit/{other.pk}/").status_code == 404
    assert client.get("/admin/api_keys/").context["object_list"].count() == 1
