"""Topics carry documents and implementation updates carry photos, from the community's own collection."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from wagtail.documents.models import Document
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from participation.deliberations.models import ImplementationUpdate, Topic, TopicDocument

from .test_admin import admin_client, topic_form, worker  # noqa: F401  (the worker fixture)


def document(community, title="加装电梯施工方案"):
    return Document.objects.create(
        title=title, file=ContentFile(b"%PDF-1.4\n" + b"0" * 2048, name="plan.pdf"), collection=community.collection
    )


def photo(community, description="3号楼电梯井施工现场"):
    return Image.objects.create(
        title="IMG_0042", description=description, file=get_test_image_file(), collection=community.collection
    )


def test_topic_page_shows_documents_and_update_photos(city, make_topic, host_client):
    topic = make_topic(city["a1"], phase="decided")
    doc = document(city["a1"])
    TopicDocument.objects.create(topic=topic, document=doc)
    image = photo(city["a1"])
    ImplementationUpdate.objects.create(topic=topic, percent_complete=40, note="井道施工", photos=[("photo", image)])
    body = host_client("a1.localhost").get(f"/deliberations/{topic.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'href="{doc.url}"' in body and "加装电梯施工方案" in body and "(PDF, 2.0\xa0KB)" in body
    assert 'alt="3号楼电梯井施工现场"' in body and "IMG_0042" not in body


@pytest.mark.parametrize("own", [True, False])
def test_admin_accepts_only_files_of_the_topics_community(city, worker, own):  # noqa: F811
    community = city["a1"] if own else city["b1"]
    doc, image = document(community), photo(community)
    update = {
        "date": "2026-11-20",
        "status": "in_progress",
        "percent_complete": "30",
        "spending": "",
        "note": "开工",
        "photos": streamfield([("photo", image.pk)]),
    }
    data = topic_form(city["a1"], documents=inline_formset([{"document": doc.pk}]), updates=inline_formset([update]))
    response = admin_client(worker).post(reverse("wagtailsnippets_deliberations_topic:add"), nested_form_data(data))
    if own:
        assert response.status_code == 302, response.content.decode()[:2000]
        topic = Topic.objects.get()
        assert [d.document for d in topic.documents.all()] == [doc]
        assert topic.updates.get().images() == [image]
    else:
        assert response.status_code == 200 and "another community" in response.content.decode()
        assert not Topic.objects.exists()
