"""反光镜 renders each complaint once per version of what it shows (`{% sitewide with complaint=complaint %}`,
`Complaint.sitewide_key`): a new event, a hidden photo, an edited text, a renamed category or community show at
once, and the kept HTML is what the template renders without the memo. The unfiltered list is counted from the
category table (no count query); the state and kind labels are Django's, without translating every choice."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from participation.complaints import cases
from participation.complaints.models import CaseState, Complaint, ComplaintEvent
from participation.complaints.templatetags import complaints_tags
from portal.core import sites

from .test_photos import with_photos  # noqa: F401  (fixture)
from .test_queries import count_queries, few_and_many  # noqa: F401  (fixture)


def article(page: str, pk: int) -> str:
    found = re.search(rf'<article class="complaint">\s*<h3><a href="/mirror/{pk}/">.*?</article>', page, re.S)
    return found.group(0) if found else ""


def test_the_unfiltered_mirror_is_counted_from_its_category_table(few_and_many, host_client):  # noqa: F811
    client = host_client("b1.localhost")
    client.get("/mirror/")
    with CaptureQueriesContext(connection) as captured:
        first = client.get("/mirror/").content.decode()
    assert not [q for q in captured if "COUNT(*)" in q["sql"]]
    assert len(captured) == 4  # the category table, the page of complaints, their events, their photos
    assert "?page=2" in first and len(re.findall(r'<article class="complaint">', first)) == 20
    second = client.get("/mirror/?page=2").content.decode()
    assert len(re.findall(r'<article class="complaint">', second)) == 5 and "?page=3" not in second
    filtered = client.get("/mirror/?status=closed").content.decode()
    assert '<article class="complaint">' not in filtered and "?page=2" not in filtered
    assert count_queries(client, "/mirror/?status=accepted") == 5  # a filter is counted by the database


def test_a_kept_complaint_shows_every_change_at_once(with_photos, host_client, make_user, city, categories):  # noqa: F811
    worker = make_user()
    complaint = with_photos(count=2, description="井盖丢了 13812345678")
    cases.accept(complaint, worker)
    visitor, resident = host_client("a1.localhost"), host_client("a1.localhost", make_user())

    def shown():
        return article(visitor.get("/mirror/").content.decode(), complaint.pk)

    kept = shown()
    masked = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(complaints_tags, "mask_personal_data", lambda text: masked.append(text) or text)
        assert kept and "13812345678" not in kept and kept == shown()
    assert masked == []  # kept: not rendered again
    assert article(resident.get("/mirror/").content.decode(), complaint.pk) == kept
    cases.settle_locally(Complaint.objects.get(pk=complaint.pk), worker, "已修好")
    assert "已修好" in shown()
    hidden = complaint.photos.first()
    hidden.hidden_from_public = True
    hidden.save()
    assert f"/mirror/photos/{hidden.pk}/" not in shown()
    Complaint.objects.filter(pk=complaint.pk).update(description="改过的描述")
    assert "改过的描述" in shown()
    categories["noise"].name = "夜间噪音"
    categories["noise"].save()
    assert "夜间噪音" in shown()
    city["a1"].name = "改名的社区"
    city["a1"].save()
    assert "改名的社区" in shown()
    ComplaintEvent.objects.create(complaint=complaint, kind=ComplaintEvent.Kind.NOTE, text="内部备注")
    assert "内部备注" not in shown()
    kept = shown()
    item = article(visitor.get(f"/mirror/{complaint.pk}/").content.decode().replace("<h1>", "<h3>"), complaint.pk)
    assert item.replace("h1>", "h3>") == kept
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sites, "memo", lambda request, key, compute: compute())
        assert shown() == kept


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_labels_are_django_s(language):
    from django.db.models import Model

    with translation.override(language):
        for state in [*CaseState.values, "gone", ""]:
            complaint, event = Complaint(state=state, kind="hazard"), ComplaintEvent(to_state=state)
            assert complaint.get_state_display() == Model._get_FIELD_display(
                complaint, Complaint._meta.get_field("state")
            )
            assert event.get_to_state_display() == Model._get_FIELD_display(
                event, ComplaintEvent._meta.get_field("to_state")
            )
        for kind in [*Complaint.Kind.values, "gone"]:
            complaint = Complaint(kind=kind)
            assert complaint.get_kind_display() == Model._get_FIELD_display(
                complaint, Complaint._meta.get_field("kind")
            )


def test_the_blank_filter_is_rendered_once_and_a_chosen_one_for_its_visitor(few_and_many, host_client, monkeypatch):  # noqa: F811
    from django.forms.boundfield import BoundField

    rendered = []
    as_widget = BoundField.as_widget
    monkeypatch.setattr(
        BoundField, "as_widget", lambda self, *a, **k: rendered.append(self.name) or as_widget(self, *a, **k)
    )
    client = host_client("a1.localhost")
    blank = client.get("/mirror/").content.decode()
    rendered.clear()
    assert client.get("/mirror/").content.decode() == blank and rendered == []
    chosen = client.get("/mirror/?status=closed").content.decode()
    assert rendered and '<option value="closed" selected>' in chosen
    assert '<option value="closed" selected>' not in client.get("/mirror/").content.decode()
    monkeypatch.setattr(sites, "memo", lambda request, key, compute: compute())
    assert client.get("/mirror/").content.decode() == blank
