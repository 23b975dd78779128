from django.apps import AppConfig


class BareConfig(AppConfig):
    name = "tests.benchmarks.bare"
    label = "bench_bare"
    default_auto_field = "django.db.models.BigAutoField"
