"""The models whose rows moderators see in the queue. Apps register theirs in `AppConfig.ready`."""

_models: list = []


def register(model):
    if model not in _models:
        _models.append(model)
    return model


def moderated_models() -> list:
    return list(_models)
