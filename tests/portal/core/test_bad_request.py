"""A request Django refuses before any view (too large, too many fields) gets a page that says why, in the
visitor's language; never Django's bare "Bad Request (400)", never a 500."""

import pytest
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from django.test import RequestFactory
from django.utils import translation

from portal.core.errors import bad_request, reason_for


@pytest.mark.django_db
def test_too_many_fields_on_a_public_form_is_a_400_with_the_reason(client, settings):
    fields = {f"f{i}": "x" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    response = client.post("/accounts/login/", fields, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    with translation.override(response.get("Content-Language", "en")):
        assert reason_for(TooManyFieldsSent()) in response.content.decode()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_each_refusal_has_its_own_reason_in_the_visitors_language(language):
    request = RequestFactory().post("/")
    with translation.override(language):
        reasons = {reason_for(e) for e in (RequestDataTooBig(), TooManyFieldsSent(), SuspiciousOperation())}
        page = bad_request(request, RequestDataTooBig()).content.decode()
        assert reason_for(RequestDataTooBig()) in page
    assert len(reasons) == 3
    assert all(("保存" in r) == (language == "zh-hans") for r in reasons)
    assert f'lang="{language}"' in page


@pytest.mark.django_db
def test_a_host_django_does_not_allow_gets_the_page_not_a_500(client, settings):
    settings.ALLOWED_HOSTS = ["localhost"]
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    with translation.override(response["Content-Language"]):
        assert reason_for(SuspiciousOperation()) in response.content.decode()
