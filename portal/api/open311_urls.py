from django.urls import path, register_converter

from . import open311


class FormatConverter:
    """GeoReport's two formats, as the URL's suffix: requests.json, requests.xml."""

    regex = "json|xml"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(FormatConverter, "open311fmt")

urlpatterns = [
    path("services.<open311fmt:fmt>", open311.services, name="open311_services"),
    path("services/<str:code>.<open311fmt:fmt>", open311.service_definition, name="open311_service"),
    path("requests.<open311fmt:fmt>", open311.requests, name="open311_requests"),
    path("requests/<str:request_id>.<open311fmt:fmt>", open311.request_detail, name="open311_request"),
    path("tokens/<str:token>.<open311fmt:fmt>", open311.token, name="open311_token"),
    path("servicerequestupdates.<open311fmt:fmt>", open311.updates, name="open311_updates"),
]
