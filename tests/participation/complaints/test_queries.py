"""反光镜's pages cost the same number of queries whatever the number of complaints, events and photos."""

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from participation.complaints.models import CaseState, Complaint, ComplaintEvent, ComplaintPhoto


def add_public(community, category, n):
    """`n` public complaints in `community`, each with `n` public events, a note and a photo."""
    made = Complaint.objects.bulk_create(
        Complaint(
            community=community,
            kind=Complaint.Kind.HAZARD,
            category=category,
            description=f"第{i}件：井盖缺失",
            address="甲街道",
            public=True,
            state=CaseState.ACCEPTED,
        )
        for i in range(n)
    )
    ComplaintEvent.objects.bulk_create(
        ComplaintEvent(complaint=complaint, kind=kind, text=f"进展{j}")
        for complaint in made
        for j, kind in enumerate([ComplaintEvent.Kind.REPLY] * n + [ComplaintEvent.Kind.NOTE])
    )
    for complaint in made:
        ComplaintPhoto.objects.create(complaint=complaint, image=ContentFile(b"x", name="p.jpg"), width=4, height=3)
    return made


def count_queries(client, url) -> int:
    client.get(url)  # warm per-process caches (the site map, content types)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


@pytest.fixture
def few_and_many(city, categories):
    """a1 holds 2 complaints of 2 events; b1 (on street-b) 25 of 25: more than a page of 20."""
    few = add_public(city["a1"], categories["noise"], 2)
    many = add_public(city["b1"], categories["road"], 25)
    return few, many


@pytest.mark.parametrize("page", ["", "?page=2", "?status=accepted"])
def test_the_mirror_costs_the_same_for_few_and_many_complaints(few_and_many, host_client, page):
    few = count_queries(host_client("a1.localhost"), f"/mirror/{page}")
    many = count_queries(host_client("b1.localhost"), f"/mirror/{page}")
    assert few == many


def test_a_mirror_item_costs_the_same_for_few_and_many_events(few_and_many, host_client):
    few, many = few_and_many
    assert count_queries(host_client("a1.localhost"), f"/mirror/{few[0].pk}/") == count_queries(
        host_client("b1.localhost"), f"/mirror/{many[0].pk}/"
    )


def test_the_street_and_city_mirrors_cost_the_same_for_few_and_many(few_and_many, host_client):
    city_client = host_client("localhost")
    assert count_queries(city_client, "/mirror/street/street-a/") == count_queries(
        city_client, "/mirror/street/street-b/"
    )
    city_page = count_queries(city_client, "/mirror/")
    add_public(few_and_many[0][0].community, few_and_many[0][0].category, 5)
    assert count_queries(city_client, "/mirror/") == city_page


def test_the_mirror_finds_its_community_from_the_site_map(few_and_many, host_client):
    """No query for the Site or the Community: the per-process site map answers (issue 20)."""
    client = host_client("a1.localhost")
    client.get("/mirror/")
    with CaptureQueriesContext(connection) as captured:
        client.get("/mirror/")
    tables = " ".join(query["sql"] for query in captured)
    assert 'FROM "wagtailcore_site"' not in tables and 'FROM "regions_community"' not in tables


def test_the_mirror_s_filter_shows_the_categories_from_the_site_map(few_and_many, host_client, categories):
    """The category filter's choices are a fact of the site map (no query); a new or renamed category shows at
    once; the HTML is Django's, blank or with a chosen filter."""
    from participation.complaints.forms import MirrorFilterForm
    from participation.complaints.models import ServiceCategory, mirror_categories

    client = host_client("a1.localhost")
    client.get("/mirror/")
    with CaptureQueriesContext(connection) as captured:
        html = client.get("/mirror/").content.decode()
    assert not [q for q in captured if q["sql"].startswith('SELECT "complaints_servicecategory"."id"')]
    assert all(f'<option value="{c.pk}">{c.name}</option>' in html for c in categories.values())
    ServiceCategory.objects.create(service_code="lamp", name="路灯不亮")
    categories["noise"].name = "夜间噪音"
    categories["noise"].save()
    html = client.get("/mirror/").content.decode()
    assert "路灯不亮</option>" in html and "夜间噪音</option>" in html and "噪音扰民</option>" not in html
    choices = mirror_categories([few_and_many[0][0].community.site])[few_and_many[0][0].community.site_id]
    for data in (None, {"category": str(categories["road"].pk), "status": "accepted"}, {"category": "x"}):
        kept, plain = MirrorFilterForm(data, categories=choices), MirrorFilterForm(data)
        assert kept.is_valid() == plain.is_valid()
        for name in ("category", "status"):
            assert str(kept[name]) == str(plain[name]), (data, name)
    chosen = client.get("/mirror/", {"category": categories["road"].pk}).content.decode()
    assert f'<option value="{categories["road"].pk}" selected>' in chosen
    assert f'<option value="{categories["road"].pk}" selected>' not in client.get("/mirror/").content.decode()
