"""Every project app runs its own AppConfig: an apps.py holding two AppConfig classes without `default = True`
makes Django fall back to a bare AppConfig, and the app's ready() (signals, registries, checks) silently never runs."""

from django.apps import AppConfig, apps


def test_every_project_app_runs_its_own_app_config():
    bare = [
        config.name
        for config in apps.get_app_configs()
        if config.name.split(".")[0] in ("portal", "participation", "communities") and type(config) is AppConfig
    ]
    assert bare == []
