"""Name searches ignore accents and case on every database: each athlete's name and other
spellings are kept folded beside them (results.models.FoldedNamesField fills it on save)."""

import unicodedata

from django.db import migrations, models


def folded(text: str) -> str:
    """The folding as this migration was written (a frozen copy of vocabulary.folded)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


def fold_every_name(apps, schema_editor) -> None:
    Athlete = apps.get_model("results", "Athlete")
    for athlete in Athlete.objects.all():
        names = [athlete.name, *(athlete.aliases if isinstance(athlete.aliases, list) else [])]
        athlete.search_names = "|".join(folded(str(name)) for name in names)
        athlete.save(update_fields=["search_names"])


class Migration(migrations.Migration):
    dependencies = [("results", "0011_rounds")]

    operations = [
        migrations.AddField(
            model_name="athlete",
            name="search_names",
            field=models.CharField(blank=True, editable=False, max_length=2000, serialize=False),
        ),
        migrations.RunPython(fold_every_name, migrations.RunPython.noop),
    ]
