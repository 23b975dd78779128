from django.urls import path

from . import views

app_name = "organisations_open_data"

urlpatterns = [
    path("datapackage.json", views.datapackage, name="datapackage"),
    path("<slug:name>.csv", views.table_csv, name="csv"),
    path("<slug:name>.json", views.table_json, name="json"),
]
