"""The officials' roles, kept in step with the models after every migrate (and every flush).

Officials enter and correct a season's events, races, results, athletes, venues and published
standings. They cannot touch users, groups, seasons' rules, nations, or delete events and
seasons. Data managers may also edit seasons and their rules, and nations. Superusers do the
rest. A model added later joins a role here, and the next migrate grants it.
"""

from __future__ import annotations

from typing import Any

VIEW = ["view"]
ENTER = ["add", "change", "view"]
ENTER_AND_DELETE = ["add", "change", "delete", "view"]

OFFICIALS = {
    "season": VIEW,
    "nation": VIEW,
    "event": ENTER,
    "race": ENTER,
    "result": ENTER_AND_DELETE,
    "podium": ENTER_AND_DELETE,
    "adjustment": ENTER_AND_DELETE,
    "athlete": ENTER,
    "venue": ENTER,
    "publishedstanding": ENTER_AND_DELETE,
    "round": ENTER_AND_DELETE,
    "heatline": ENTER_AND_DELETE,
    "evententry": ENTER_AND_DELETE,
}
DATA_MANAGERS = {**OFFICIALS, "season": ENTER, "nation": ENTER}
ROLES = {"Officials": OFFICIALS, "Data managers": DATA_MANAGERS}


def sync_roles(sender: Any = None, using: str = "default", apps: Any = None, **kwargs: Any) -> None:
    """Give each role exactly the permissions ROLES names of the models the migrated state
    holds (a post_migrate receiver: Django has made those models' permissions by then). A
    database migrated only part of the way (`migrate results 0005`) gets the roles of the
    models it has, and none while auth's tables do not exist yet."""
    from django.apps import apps as installed

    state = apps or installed
    try:
        group_model = state.get_model("auth", "Group")
        permission_model = state.get_model("auth", "Permission")
        present = {model._meta.model_name for model in state.get_app_config("results").get_models()}
    except LookupError:  # auth, or this app, is not migrated yet
        return
    for name, grants in ROLES.items():
        codenames = [
            f"{action}_{model}"
            for model, actions in grants.items()
            if model in present
            for action in actions
        ]
        permissions = permission_model.objects.using(using).filter(
            content_type__app_label="results", codename__in=codenames
        )
        missing = set(codenames) - set(permissions.values_list("codename", flat=True))
        if missing:
            raise RuntimeError(f"permissions not found: {sorted(missing)}")
        group, _ = group_model.objects.using(using).get_or_create(name=name)
        group.permissions.set(permissions)
