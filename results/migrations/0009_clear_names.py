"""One word per idea: a race's `classification` field (complete or partial) is its
`completeness`, and a published standings row's `distance` (which may be overall) is its table
`kind`. Renamed in place: every value and every history row is kept."""

from django.db import migrations, models

from results.migrations import _relay_triggers as triggers

TABLE_KINDS = [
    ("500m", "500 m"), ("1000m", "1000 m"), ("1500m", "1500 m"), ("3000m-relay", "3000 m relay"),
    ("5000m-relay", "5000 m relay"), ("2000m-mixed-relay", "2000 m mixed relay"),
    ("overall", "Overall"), ("nations", "Nations"),
]  # fmt: skip
COMPLETENESS = [
    ("complete", "Complete"),
    ("partial", "Partial (podium only, or the places a source gives)"),
]
COMPLETENESS_HELP = (
    "Complete: every classified rank from 1 down, no gaps. Partial: only the places a source "
    "gives."
)


def completeness_field() -> models.CharField:
    return models.CharField(
        "classification",
        choices=COMPLETENESS,
        default="complete",
        help_text=COMPLETENESS_HELP,
        max_length=8,
    )


def kind_field() -> models.CharField:
    return models.CharField(
        "table", choices=TABLE_KINDS, help_text="A distance, or overall.", max_length=20
    )


class Migration(migrations.Migration):
    dependencies = [("results", "0008_season_default_tie_break")]

    operations = [
        # SQLite rebuilds results_race to change its constraints: the triggers go first.
        migrations.RunPython(triggers.drop, triggers.create),
        migrations.RemoveConstraint(model_name="race", name="race_classification_valid"),
        migrations.RenameField("race", "classification", "completeness"),
        migrations.RenameField("historicalrace", "classification", "completeness"),
        migrations.AlterField("race", "completeness", completeness_field()),
        migrations.AlterField("historicalrace", "completeness", completeness_field()),
        migrations.AddConstraint(
            model_name="race",
            constraint=models.CheckConstraint(
                condition=models.Q(("completeness__in", ["complete", "partial"])),
                name="race_completeness_valid",
            ),
        ),
        migrations.RemoveConstraint(
            model_name="publishedstanding", name="published_standing_unique_rank"
        ),
        migrations.RemoveConstraint(
            model_name="publishedstanding", name="published_standing_distance_valid"
        ),
        migrations.RenameField("publishedstanding", "distance", "kind"),
        migrations.RenameField("historicalpublishedstanding", "distance", "kind"),
        migrations.AlterField("publishedstanding", "kind", kind_field()),
        migrations.AlterField("historicalpublishedstanding", "kind", kind_field()),
        migrations.AlterModelOptions(
            name="publishedstanding", options={"ordering": ["season", "gender", "kind", "rank"]}
        ),
        migrations.AddConstraint(
            model_name="publishedstanding",
            constraint=models.UniqueConstraint(
                fields=("season", "gender", "kind", "rank"), name="published_standing_unique_rank"
            ),
        ),
        migrations.AddConstraint(
            model_name="publishedstanding",
            constraint=models.CheckConstraint(
                condition=models.Q(("kind__in", [value for value, _ in TABLE_KINDS])),
                name="published_standing_kind_valid",
            ),
        ),
        migrations.AlterConstraint(
            model_name="result",
            name="result_dns_unranked",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "DNS"), _negated=True),
                    ("rank__isnull", True),
                    _connector="OR",
                ),
                name="result_dns_unranked",
                violation_error_message="A skater who did not start (DNS) has no rank.",
            ),
        ),
        migrations.RunPython(triggers.create, triggers.drop),
    ]
