"""The officials' roles.

Officials enter and correct a season's events, races, results, athletes, venues and published
standings. They cannot touch users, groups, seasons' rules, nations, or delete events and
seasons. Data managers may also edit seasons and their rules, and nations. Superusers do the
rest.
"""

from django.db import migrations

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
}
DATA_MANAGERS = {**OFFICIALS, "season": ENTER, "nation": ENTER}
ROLES = {"Officials": OFFICIALS, "Data managers": DATA_MANAGERS}


def create_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are made after migrations; make them now so the groups can hold them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, grants in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        codenames = [f"{action}_{model}" for model, actions in grants.items() for action in actions]
        permissions = Permission.objects.filter(
            content_type__app_label="results", codename__in=codenames
        )
        missing = set(codenames) - set(permissions.values_list("codename", flat=True))
        if missing:
            raise RuntimeError(f"permissions not found: {sorted(missing)}")
        group.permissions.set(permissions)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("results", "0004_history"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
