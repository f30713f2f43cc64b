"""A relay line has no athlete and an individual line has one: see _relay_triggers.py."""

from django.db import migrations

from results.migrations import _relay_triggers as triggers


class Migration(migrations.Migration):
    dependencies = [("results", "0001_initial")]

    operations = [migrations.RunPython(triggers.create, triggers.drop)]
