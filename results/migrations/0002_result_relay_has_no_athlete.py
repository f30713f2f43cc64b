"""A relay line has no athlete and an individual line has one: see results/triggers.py."""

from django.db import migrations

from results import triggers


class Migration(migrations.Migration):
    dependencies = [("results", "0001_initial")]

    operations = [migrations.RunPython(triggers.create, triggers.drop)]
