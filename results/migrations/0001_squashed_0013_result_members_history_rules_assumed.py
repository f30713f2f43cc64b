"""The results app's schema in one step, for a new database: what migrations 0001 to 0013 make,
field for field and column for column in their order, built in one pass instead of thirteen.

Django runs this migration on a database with none of 0001-0013 applied, and those thirteen on
one that has some of them (a backup from an older release): both arrive at the same tables,
constraints, indexes and triggers, which tests/test_migrations.py compares on SQLite and
PostgreSQL. What the thirteen do that a new database does not need is left out: the roles
(0005) are made by the post_migrate receiver (results/roles.py) on every migrate, and 0012's and
0013's data steps change rows an empty database has none of.

Generated from the chain's final state (each model's fields in the order the chain added them),
then given this text, its dependencies and the relay triggers' step. Like any migration that
has run somewhere, it is not edited again.
"""

from django.db import migrations, models
import django.core.validators
import django.db.models.deletion
import results.models
import simple_history.models
from django.conf import settings
from results.migrations import _relay_triggers as triggers


class Migration(migrations.Migration):
    replaces = [
        ("results", "0001_initial"),
        ("results", "0002_result_relay_has_no_athlete"),
        ("results", "0003_adjustment"),
        ("results", "0004_history"),
        ("results", "0005_roles"),
        ("results", "0006_race_revision"),
        ("results", "0007_bounds"),
        ("results", "0008_season_default_tie_break"),
        ("results", "0009_clear_names"),
        ("results", "0010_revisions"),
        ("results", "0011_rounds"),
        ("results", "0012_athlete_search_names"),
        ("results", "0013_result_members_history_rules_assumed"),
    ]

    initial = True

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Nation",
            fields=[
                (
                    "code",
                    models.CharField(
                        help_text="IOC code as the ISU writes it: NED, GER, SUI (not NLD, DEU, CHE).",
                        max_length=3,
                        primary_key=True,
                        serialize=False,
                        validators=[
                            django.core.validators.RegexValidator(
                                "^[A-Z]{3}$", "Three capital letters, e.g. KOR."
                            )
                        ],
                    ),
                ),
                ("name", models.CharField(max_length=100)),
            ],
            options={
                "ordering": ["code"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("code__regex", "^[A-Z]{3}$")), name="nation_code_format"
                    )
                ],
                "indexes": [],
            },
        ),
        migrations.CreateModel(
            name="Athlete",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "name",
                    models.CharField(
                        help_text="As the ISU writes it.",
                        max_length=100,
                        validators=[
                            django.core.validators.RegexValidator(
                                '^[^\\W_][^<>{}\\[\\]\\\\|;=@#$%^*+~`\\"/\\x00-\\x1f]*$',
                                "A name starts with a letter and has no markup or symbols such as < > { } / ; =.",
                            )
                        ],
                    ),
                ),
                (
                    "slug",
                    models.SlugField(
                        help_text="Used in the athlete's URL.", max_length=100, unique=True
                    ),
                ),
                (
                    "gender",
                    models.CharField(choices=[("men", "Men"), ("women", "Women")], max_length=5),
                ),
                (
                    "aliases",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text="Other spellings of the name (Viktor Ahn, Ahn Hyun-soo), used to match imports.",
                    ),
                ),
                (
                    "isu_id",
                    models.CharField(
                        blank=True,
                        help_text="Optional.",
                        max_length=20,
                        null=True,
                        unique=True,
                        verbose_name="ISU id",
                    ),
                ),
                (
                    "nation",
                    models.ForeignKey(
                        help_text="Current federation; each result keeps the nation skated for that day.",
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="athletes",
                        to="results.nation",
                    ),
                ),
                (
                    "search_names",
                    models.CharField(blank=True, editable=False, max_length=2000, serialize=False),
                ),
            ],
            options={
                "ordering": ["name"],
                "indexes": [],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("name", "nation"), name="athlete_unique_name_per_nation"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("gender__in", ["men", "women"])),
                        name="athlete_gender_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(
                                ("name__regex", '[<>{}\\[\\]\\\\|;=@#$%^*+~`\\"/]'), _negated=True
                            ),
                            models.Q(("name", ""), _negated=True),
                        ),
                        name="athlete_name_plain",
                        violation_error_message="A name starts with a letter and has no markup or symbols such as < > { } / ; =.",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="Season",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "slug",
                    models.CharField(
                        help_text="Like 2012-13; used in URLs, the CLI and the CSV format.",
                        max_length=7,
                        unique=True,
                        validators=[
                            django.core.validators.RegexValidator(
                                "^\\d{4}-\\d{2}$", "Like 2012-13."
                            )
                        ],
                    ),
                ),
                ("name", models.CharField(help_text="Display name, like 2012–13.", max_length=20)),
                ("start_date", models.DateField()),
                ("end_date", models.DateField()),
                (
                    "points_table",
                    models.JSONField(
                        default=list,
                        help_text="World Cup points for each final rank, 1st first, e.g. [1000, 800, 640]. Ranks below the last entry score 0.",
                    ),
                ),
                (
                    "best_individual",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        help_text="Best results that count per individual distance (6 in 2012–13). Empty: all count.",
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(100),
                        ],
                    ),
                ),
                (
                    "best_relay",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        help_text="Best results that count for the relays. Empty: all.",
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(100),
                        ],
                    ),
                ),
                (
                    "best_mixed_relay",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        help_text="Best results that count for the mixed relay. Empty: all.",
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(100),
                        ],
                    ),
                ),
                (
                    "overall",
                    models.BooleanField(
                        default=False,
                        help_text="The season has an overall classification (Crystal Globe) over the individual races of all distances.",
                    ),
                ),
                (
                    "best_overall",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        help_text="Best races that count in the overall classification. Empty: all.",
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(100),
                        ],
                    ),
                ),
                (
                    "nations_classification",
                    models.BooleanField(
                        default=False,
                        help_text="The season has a nations' classification (Team Crystal Globe): all points of a nation's skaters and teams, none dropped.",
                    ),
                ),
                (
                    "scoreless_statuses",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text='Statuses that score 0 even with a classified rank, e.g. ["YC"]. A line with no classified rank always scores 0.',
                    ),
                ),
                (
                    "tie_break",
                    models.JSONField(
                        blank=True,
                        default=results.models.default_tie_break,
                        help_text='Tie-break chain for equal net points, tried in order: "countback", "last-race" (the default, both). Empty: ties stand and the rank is shared.',
                    ),
                ),
                (
                    "rules_confidence",
                    models.CharField(
                        choices=[
                            ("sourced", "Sourced"),
                            ("inferred", "Inferred"),
                            ("assumed", "Assumed"),
                        ],
                        default="assumed",
                        help_text="Sourced only when the rules' source below says where they come from.",
                        max_length=8,
                    ),
                ),
                (
                    "rules_source",
                    models.TextField(
                        blank=True,
                        help_text="Where the rules come from and what is still to be confirmed.",
                    ),
                ),
                ("source", models.TextField(blank=True)),
                (
                    "note",
                    models.TextField(
                        blank=True, help_text="Corrections to a source, with its value."
                    ),
                ),
                (
                    "version",
                    models.BigIntegerField(
                        default=results.models.new_version,
                        editable=False,
                        help_text="A fresh token after every committed change of the season's results or rules: cached standings and pages are keyed by it. Never dumped or loaded.",
                        serialize=False,
                    ),
                ),
                (
                    "revision",
                    models.PositiveIntegerField(
                        default=0,
                        editable=False,
                        help_text="Counts every write to the season and its rules: two officials saving it at once get a conflict, not a silent overwrite.",
                        serialize=False,
                    ),
                ),
                (
                    "classification_rule",
                    models.CharField(
                        choices=[
                            (
                                "latest-round",
                                "By the last round skated; equal ones by the latest earlier round both skated",
                            ),
                            (
                                "latest-round-only",
                                "By the last round skated; equal ones share the rank",
                            ),
                        ],
                        default="latest-round",
                        help_text="How a race skated in rounds gives its final classification (see the README).",
                        max_length=20,
                    ),
                ),
                (
                    "classification_rule_confidence",
                    models.CharField(
                        choices=[
                            ("sourced", "Sourced"),
                            ("inferred", "Inferred"),
                            ("assumed", "Assumed"),
                        ],
                        default="assumed",
                        help_text="The ISU's text of the rule for 2012–13 was not found: assumed.",
                        max_length=8,
                        verbose_name="confidence of the classification rule",
                    ),
                ),
            ],
            options={
                "ordering": ["start_date"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("slug__regex", "^\\d{4}-\\d{2}$")),
                        name="season_slug_format",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("end_date__gte", models.F("start_date"))),
                        name="season_end_after_start",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(
                                ("best_individual__isnull", True),
                                ("best_individual__gte", 1),
                                _connector="OR",
                            ),
                            models.Q(
                                ("best_relay__isnull", True),
                                ("best_relay__gte", 1),
                                _connector="OR",
                            ),
                            models.Q(
                                ("best_mixed_relay__isnull", True),
                                ("best_mixed_relay__gte", 1),
                                _connector="OR",
                            ),
                            models.Q(
                                ("best_overall__isnull", True),
                                ("best_overall__gte", 1),
                                _connector="OR",
                            ),
                        ),
                        name="season_best_of_positive",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("rules_confidence__in", ["sourced", "inferred", "assumed"])
                        ),
                        name="season_rules_confidence_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("classification_rule__in", ["latest-round", "latest-round-only"])
                        ),
                        name="season_classification_rule_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            (
                                "classification_rule_confidence__in",
                                ["sourced", "inferred", "assumed"],
                            )
                        ),
                        name="season_classification_rule_confidence_valid",
                    ),
                ],
                "indexes": [],
            },
        ),
        migrations.CreateModel(
            name="PublishedStanding",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "gender",
                    models.CharField(
                        choices=[("men", "Men"), ("women", "Women"), ("mixed", "Mixed")],
                        max_length=5,
                    ),
                ),
                (
                    "rank",
                    models.PositiveSmallIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(999),
                        ]
                    ),
                ),
                (
                    "points",
                    models.PositiveIntegerField(
                        help_text="As published, even if it looks wrong.",
                        validators=[django.core.validators.MaxValueValidator(1000000)],
                    ),
                ),
                ("source", models.TextField(blank=True)),
                (
                    "confidence",
                    models.CharField(
                        choices=[
                            ("sourced", "Sourced"),
                            ("inferred", "Inferred"),
                            ("assumed", "Assumed"),
                        ],
                        default="sourced",
                        max_length=8,
                    ),
                ),
                ("note", models.TextField(blank=True)),
                (
                    "athlete",
                    models.ForeignKey(
                        blank=True,
                        help_text="Empty when the source does not name the skater, or for a relay team.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="published_standings",
                        to="results.athlete",
                    ),
                ),
                (
                    "nation",
                    models.ForeignKey(
                        blank=True,
                        help_text="The relay team's nation, or the skater's when named.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="published_standings",
                        to="results.nation",
                    ),
                ),
                (
                    "season",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="published_standings",
                        to="results.season",
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("500m", "500 m"),
                            ("1000m", "1000 m"),
                            ("1500m", "1500 m"),
                            ("3000m-relay", "3000 m relay"),
                            ("5000m-relay", "5000 m relay"),
                            ("2000m-mixed-relay", "2000 m mixed relay"),
                            ("overall", "Overall"),
                            ("nations", "Nations"),
                        ],
                        help_text="A distance, or overall.",
                        max_length=20,
                        verbose_name="table",
                    ),
                ),
            ],
            options={
                "ordering": ["season", "gender", "kind", "rank"],
                "indexes": [],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("rank__gte", 1)),
                        name="published_standing_rank_positive",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("gender__in", ["men", "women", "mixed"])),
                        name="published_standing_gender_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("confidence__in", ["sourced", "inferred", "assumed"])),
                        name="published_standing_confidence_valid",
                    ),
                    models.UniqueConstraint(
                        fields=("season", "gender", "kind", "rank"),
                        name="published_standing_unique_rank",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            (
                                "kind__in",
                                [
                                    "500m",
                                    "1000m",
                                    "1500m",
                                    "3000m-relay",
                                    "5000m-relay",
                                    "2000m-mixed-relay",
                                    "overall",
                                    "nations",
                                ],
                            )
                        ),
                        name="published_standing_kind_valid",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="Venue",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=150)),
                ("city", models.CharField(max_length=100)),
                (
                    "source",
                    models.TextField(blank=True, help_text="Where the venue of record comes from."),
                ),
                (
                    "note",
                    models.TextField(blank=True, help_text="Other names, corrections to a source."),
                ),
                (
                    "nation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="venues",
                        to="results.nation",
                    ),
                ),
            ],
            options={
                "ordering": ["city", "name"],
                "indexes": [],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("name", "city"), name="venue_unique_name_per_city"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="Event",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "number",
                    models.PositiveSmallIntegerField(
                        help_text="1 for the season's first World Cup.",
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(999),
                        ],
                    ),
                ),
                ("city", models.CharField(max_length=100)),
                ("first_day", models.DateField(help_text="First competition day (qualifying).")),
                ("last_day", models.DateField(help_text="Day of the last finals.")),
                ("source", models.TextField(blank=True)),
                (
                    "note",
                    models.TextField(
                        blank=True, help_text="Corrections to a source, with its value."
                    ),
                ),
                (
                    "season",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="events",
                        to="results.season",
                    ),
                ),
                (
                    "venue",
                    models.ForeignKey(
                        blank=True,
                        help_text="Leave empty when no source names it.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="events",
                        to="results.venue",
                    ),
                ),
                (
                    "revision",
                    models.PositiveIntegerField(
                        default=0,
                        editable=False,
                        help_text="Counts every write to the event: two officials saving it at once get a conflict, not a silent overwrite.",
                        serialize=False,
                    ),
                ),
            ],
            options={
                "ordering": ["first_day", "number"],
                "indexes": [],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("season", "number"), name="event_unique_number_per_season"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("last_day__gte", models.F("first_day"))),
                        name="event_last_day_after_first",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("number__gte", 1), ("number__lte", 999)),
                        name="event_number_positive",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="Race",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "gender",
                    models.CharField(
                        choices=[("men", "Men"), ("women", "Women"), ("mixed", "Mixed")],
                        max_length=5,
                    ),
                ),
                (
                    "distance",
                    models.CharField(
                        choices=[
                            ("500m", "500 m"),
                            ("1000m", "1000 m"),
                            ("1500m", "1500 m"),
                            ("3000m-relay", "3000 m relay"),
                            ("5000m-relay", "5000 m relay"),
                            ("2000m-mixed-relay", "2000 m mixed relay"),
                        ],
                        max_length=20,
                    ),
                ),
                (
                    "number",
                    models.PositiveSmallIntegerField(
                        default=1,
                        help_text='1, or 2 for the second race of a distance skated twice at the event (the "(2)" race).',
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(999),
                        ],
                    ),
                ),
                ("date", models.DateField(help_text="Day of the race's finals.")),
                (
                    "record_note",
                    models.CharField(
                        blank=True,
                        help_text='A record set in the race, e.g. "WR" (world record). Never a winner.',
                        max_length=200,
                    ),
                ),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("draft", "Draft"),
                            ("provisional", "Provisional"),
                            ("official", "Official"),
                        ],
                        default="draft",
                        help_text="Draft results are seen only by staff; provisional and official are public.",
                        max_length=11,
                        verbose_name="publication",
                    ),
                ),
                ("source", models.TextField(blank=True)),
                (
                    "note",
                    models.TextField(
                        blank=True, help_text="Corrections to a source, with its value."
                    ),
                ),
                (
                    "event",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="races",
                        to="results.event",
                    ),
                ),
                (
                    "revision",
                    models.PositiveIntegerField(
                        default=0,
                        editable=False,
                        help_text="Counts every write to the race or its classification: two officials saving it at once get a conflict, not a silent overwrite.",
                        serialize=False,
                    ),
                ),
                (
                    "completeness",
                    models.CharField(
                        choices=[
                            ("complete", "Complete"),
                            ("partial", "Partial (podium only, or the places a source gives)"),
                        ],
                        default="complete",
                        help_text="Complete: every classified rank from 1 down, no gaps. Partial: only the places a source gives.",
                        max_length=8,
                        verbose_name="classification",
                    ),
                ),
            ],
            options={
                "ordering": ["date", "gender", "distance", "number"],
                "indexes": [],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("event", "gender", "distance", "number"),
                        name="race_unique_per_event",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("gender__in", ["men", "women", "mixed"])),
                        name="race_gender_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            (
                                "distance__in",
                                [
                                    "500m",
                                    "1000m",
                                    "1500m",
                                    "3000m-relay",
                                    "5000m-relay",
                                    "2000m-mixed-relay",
                                ],
                            )
                        ),
                        name="race_distance_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("state__in", ["draft", "provisional", "official"])),
                        name="race_state_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(
                                ("distance__in", ("500m", "1000m", "1500m")),
                                ("gender__in", ["men", "women"]),
                            ),
                            models.Q(("distance", "5000m-relay"), ("gender", "men")),
                            models.Q(("distance", "3000m-relay"), ("gender", "women")),
                            models.Q(("distance", "2000m-mixed-relay"), ("gender", "mixed")),
                            _connector="OR",
                        ),
                        name="race_distance_fits_gender",
                        violation_error_message="The men skate the 5000 m relay, the women the 3000 m relay, and only the mixed relay is mixed.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("number__gte", 1), ("number__lte", 999)),
                        name="race_number_positive",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("completeness__in", ["complete", "partial"])),
                        name="race_completeness_valid",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="Result",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "rank",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        help_text="Final rank; empty when not classified (e.g. DNS).",
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(999),
                        ],
                    ),
                ),
                (
                    "time",
                    models.DecimalField(
                        blank=True,
                        decimal_places=3,
                        help_text="Seconds, e.g. 39.937.",
                        max_digits=7,
                        null=True,
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("", "Classified"),
                            ("PEN", "Penalty"),
                            ("DNF", "Did not finish"),
                            ("DNS", "Did not start"),
                            ("YC", "Yellow card"),
                        ],
                        default="",
                        max_length=3,
                    ),
                ),
                ("source", models.TextField(blank=True, help_text="Where this line comes from.")),
                (
                    "confidence",
                    models.CharField(
                        choices=[
                            ("sourced", "Sourced"),
                            ("inferred", "Inferred"),
                            ("assumed", "Assumed"),
                        ],
                        default="sourced",
                        max_length=8,
                    ),
                ),
                ("note", models.TextField(blank=True)),
                (
                    "athlete",
                    models.ForeignKey(
                        blank=True,
                        help_text="Empty for a relay team.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="results",
                        to="results.athlete",
                    ),
                ),
                (
                    "members",
                    models.ManyToManyField(
                        blank=True,
                        help_text="Relay team members.",
                        related_name="relay_results",
                        to="results.athlete",
                    ),
                ),
                (
                    "nation",
                    models.ForeignKey(
                        help_text="The nation skated for that day.",
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="results",
                        to="results.nation",
                    ),
                ),
                (
                    "race",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="results",
                        to="results.race",
                    ),
                ),
                (
                    "revision",
                    models.PositiveIntegerField(
                        default=0,
                        editable=False,
                        help_text="Counts every write to the line: two officials saving it at once get a conflict, not a silent overwrite.",
                        serialize=False,
                    ),
                ),
            ],
            options={
                "ordering": [models.OrderBy(models.F("rank"), nulls_last=True), "id"],
                "indexes": [],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("race", "athlete"),
                        name="result_unique_athlete_per_race",
                        violation_error_message="This athlete already has a line in this race.",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("athlete__isnull", True)),
                        fields=("race", "nation"),
                        name="result_unique_team_per_race",
                        violation_error_message="This nation's team already has a line in this race.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("status__in", ["", "PEN", "DNF", "DNS", "YC"])),
                        name="result_status_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("confidence__in", ["sourced", "inferred", "assumed"])),
                        name="result_confidence_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("rank__isnull", False),
                            models.Q(("status", ""), _negated=True),
                            _connector="OR",
                        ),
                        name="result_unranked_has_status",
                        violation_error_message="A line with no rank needs a status (PEN, DNF, DNS, YC).",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("status", "DNS"), _negated=True),
                            ("rank__isnull", True),
                            _connector="OR",
                        ),
                        name="result_dns_unranked",
                        violation_error_message="A skater who did not start (DNS) has no rank.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("time__isnull", True), ("time__gt", 0), _connector="OR"
                        ),
                        name="result_time_positive",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("rank__isnull", True),
                            models.Q(("rank__gte", 1), ("rank__lte", 999)),
                            _connector="OR",
                        ),
                        name="result_rank_positive",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="Podium",
            fields=[],
            options={
                "ordering": ["race__date", "race__event__number", "race_id", "rank"],
                "proxy": True,
                "indexes": [],
                "constraints": [],
            },
            bases=("results.result",),
        ),
        migrations.CreateModel(
            name="Adjustment",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("disqualified", "Disqualified: the result scores no points"),
                            ("deduction", "Deduction: points taken off the standings total"),
                        ],
                        max_length=12,
                    ),
                ),
                (
                    "points",
                    models.PositiveIntegerField(
                        default=0,
                        help_text="For a deduction: the points taken off the competitor's total.",
                        validators=[django.core.validators.MaxValueValidator(100000)],
                    ),
                ),
                (
                    "reason",
                    models.TextField(
                        help_text="Why, e.g. the decision that disqualified the result."
                    ),
                ),
                ("source", models.TextField(blank=True)),
                (
                    "result",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="adjustment",
                        to="results.result",
                    ),
                ),
            ],
            options={
                "ordering": ["result"],
                "indexes": [],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("kind__in", ["disqualified", "deduction"])),
                        name="adjustment_kind_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("kind", "disqualified"), ("points", 0)),
                            models.Q(("kind", "deduction"), ("points__gte", 1)),
                            _connector="OR",
                        ),
                        name="adjustment_points_fit_kind",
                        violation_error_message="A deduction takes off at least 1 point; a disqualification takes none (the result's points go).",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="HistoricalAdjustment",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("disqualified", "Disqualified: the result scores no points"),
                            ("deduction", "Deduction: points taken off the standings total"),
                        ],
                        max_length=12,
                    ),
                ),
                (
                    "points",
                    models.PositiveIntegerField(
                        default=0,
                        help_text="For a deduction: the points taken off the competitor's total.",
                        validators=[django.core.validators.MaxValueValidator(100000)],
                    ),
                ),
                (
                    "reason",
                    models.TextField(
                        help_text="Why, e.g. the decision that disqualified the result."
                    ),
                ),
                ("source", models.TextField(blank=True)),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "result",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="results.result",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical adjustment",
                "verbose_name_plural": "historical adjustments",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
                "indexes": [],
                "constraints": [],
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalAthlete",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "name",
                    models.CharField(
                        help_text="As the ISU writes it.",
                        max_length=100,
                        validators=[
                            django.core.validators.RegexValidator(
                                '^[^\\W_][^<>{}\\[\\]\\\\|;=@#$%^*+~`\\"/\\x00-\\x1f]*$',
                                "A name starts with a letter and has no markup or symbols such as < > { } / ; =.",
                            )
                        ],
                    ),
                ),
                ("slug", models.SlugField(help_text="Used in the athlete's URL.", max_length=100)),
                (
                    "gender",
                    models.CharField(choices=[("men", "Men"), ("women", "Women")], max_length=5),
                ),
                (
                    "aliases",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text="Other spellings of the name (Viktor Ahn, Ahn Hyun-soo), used to match imports.",
                    ),
                ),
                (
                    "isu_id",
                    models.CharField(
                        blank=True,
                        db_index=True,
                        help_text="Optional.",
                        max_length=20,
                        null=True,
                        verbose_name="ISU id",
                    ),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "nation",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        help_text="Current federation; each result keeps the nation skated for that day.",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="results.nation",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical athlete",
                "verbose_name_plural": "historical athletes",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
                "indexes": [],
                "constraints": [],
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalEvent",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "number",
                    models.PositiveSmallIntegerField(
                        help_text="1 for the season's first World Cup.",
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(999),
                        ],
                    ),
                ),
                ("city", models.CharField(max_length=100)),
                ("first_day", models.DateField(help_text="First competition day (qualifying).")),
                ("last_day", models.DateField(help_text="Day of the last finals.")),
                ("source", models.TextField(blank=True)),
                (
                    "note",
                    models.TextField(
                        blank=True, help_text="Corrections to a source, with its value."
                    ),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "season",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="results.season",
                    ),
                ),
                (
                    "venue",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        help_text="Leave empty when no source names it.",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="results.venue",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical event",
                "verbose_name_plural": "historical events",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
                "indexes": [],
                "constraints": [],
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalPublishedStanding",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "gender",
                    models.CharField(
                        choices=[("men", "Men"), ("women", "Women"), ("mixed", "Mixed")],
                        max_length=5,
                    ),
                ),
                (
                    "rank",
                    models.PositiveSmallIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(999),
                        ]
                    ),
                ),
                (
                    "points",
                    models.PositiveIntegerField(
                        help_text="As published, even if it looks wrong.",
                        validators=[django.core.validators.MaxValueValidator(1000000)],
                    ),
                ),
                ("source", models.TextField(blank=True)),
                (
                    "confidence",
                    models.CharField(
                        choices=[
                            ("sourced", "Sourced"),
                            ("inferred", "Inferred"),
                            ("assumed", "Assumed"),
                        ],
                        default="sourced",
                        max_length=8,
                    ),
                ),
                ("note", models.TextField(blank=True)),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "athlete",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        help_text="Empty when the source does not name the skater, or for a relay team.",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="results.athlete",
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "nation",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        help_text="The relay team's nation, or the skater's when named.",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="results.nation",
                    ),
                ),
                (
                    "season",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="results.season",
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("500m", "500 m"),
                            ("1000m", "1000 m"),
                            ("1500m", "1500 m"),
                            ("3000m-relay", "3000 m relay"),
                            ("5000m-relay", "5000 m relay"),
                            ("2000m-mixed-relay", "2000 m mixed relay"),
                            ("overall", "Overall"),
                            ("nations", "Nations"),
                        ],
                        help_text="A distance, or overall.",
                        max_length=20,
                        verbose_name="table",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical published standing",
                "verbose_name_plural": "historical published standings",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
                "indexes": [],
                "constraints": [],
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalRace",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "gender",
                    models.CharField(
                        choices=[("men", "Men"), ("women", "Women"), ("mixed", "Mixed")],
                        max_length=5,
                    ),
                ),
                (
                    "distance",
                    models.CharField(
                        choices=[
                            ("500m", "500 m"),
                            ("1000m", "1000 m"),
                            ("1500m", "1500 m"),
                            ("3000m-relay", "3000 m relay"),
                            ("5000m-relay", "5000 m relay"),
                            ("2000m-mixed-relay", "2000 m mixed relay"),
                        ],
                        max_length=20,
                    ),
                ),
                (
                    "number",
                    models.PositiveSmallIntegerField(
                        default=1,
                        help_text='1, or 2 for the second race of a distance skated twice at the event (the "(2)" race).',
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(999),
                        ],
                    ),
                ),
                ("date", models.DateField(help_text="Day of the race's finals.")),
                (
                    "record_note",
                    models.CharField(
                        blank=True,
                        help_text='A record set in the race, e.g. "WR" (world record). Never a winner.',
                        max_length=200,
                    ),
                ),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("draft", "Draft"),
                            ("provisional", "Provisional"),
                            ("official", "Official"),
                        ],
                        default="draft",
                        help_text="Draft results are seen only by staff; provisional and official are public.",
                        max_length=11,
                        verbose_name="publication",
                    ),
                ),
                ("source", models.TextField(blank=True)),
                (
                    "note",
                    models.TextField(
                        blank=True, help_text="Corrections to a source, with its value."
                    ),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "event",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="results.event",
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "completeness",
                    models.CharField(
                        choices=[
                            ("complete", "Complete"),
                            ("partial", "Partial (podium only, or the places a source gives)"),
                        ],
                        default="complete",
                        help_text="Complete: every classified rank from 1 down, no gaps. Partial: only the places a source gives.",
                        max_length=8,
                        verbose_name="classification",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical race",
                "verbose_name_plural": "historical races",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
                "indexes": [],
                "constraints": [],
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalResult",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "rank",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        help_text="Final rank; empty when not classified (e.g. DNS).",
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(999),
                        ],
                    ),
                ),
                (
                    "time",
                    models.DecimalField(
                        blank=True,
                        decimal_places=3,
                        help_text="Seconds, e.g. 39.937.",
                        max_digits=7,
                        null=True,
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("", "Classified"),
                            ("PEN", "Penalty"),
                            ("DNF", "Did not finish"),
                            ("DNS", "Did not start"),
                            ("YC", "Yellow card"),
                        ],
                        default="",
                        max_length=3,
                    ),
                ),
                ("source", models.TextField(blank=True, help_text="Where this line comes from.")),
                (
                    "confidence",
                    models.CharField(
                        choices=[
                            ("sourced", "Sourced"),
                            ("inferred", "Inferred"),
                            ("assumed", "Assumed"),
                        ],
                        default="sourced",
                        max_length=8,
                    ),
                ),
                ("note", models.TextField(blank=True)),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "athlete",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        help_text="Empty for a relay team.",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="results.athlete",
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "nation",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        help_text="The nation skated for that day.",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="results.nation",
                    ),
                ),
                (
                    "race",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="results.race",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical result",
                "verbose_name_plural": "historical results",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
                "indexes": [],
                "constraints": [],
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalSeason",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "slug",
                    models.CharField(
                        db_index=True,
                        help_text="Like 2012-13; used in URLs, the CLI and the CSV format.",
                        max_length=7,
                        validators=[
                            django.core.validators.RegexValidator(
                                "^\\d{4}-\\d{2}$", "Like 2012-13."
                            )
                        ],
                    ),
                ),
                ("name", models.CharField(help_text="Display name, like 2012–13.", max_length=20)),
                ("start_date", models.DateField()),
                ("end_date", models.DateField()),
                (
                    "points_table",
                    models.JSONField(
                        default=list,
                        help_text="World Cup points for each final rank, 1st first, e.g. [1000, 800, 640]. Ranks below the last entry score 0.",
                    ),
                ),
                (
                    "best_individual",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        help_text="Best results that count per individual distance (6 in 2012–13). Empty: all count.",
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(100),
                        ],
                    ),
                ),
                (
                    "best_relay",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        help_text="Best results that count for the relays. Empty: all.",
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(100),
                        ],
                    ),
                ),
                (
                    "best_mixed_relay",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        help_text="Best results that count for the mixed relay. Empty: all.",
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(100),
                        ],
                    ),
                ),
                (
                    "overall",
                    models.BooleanField(
                        default=False,
                        help_text="The season has an overall classification (Crystal Globe) over the individual races of all distances.",
                    ),
                ),
                (
                    "best_overall",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        help_text="Best races that count in the overall classification. Empty: all.",
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(100),
                        ],
                    ),
                ),
                (
                    "nations_classification",
                    models.BooleanField(
                        default=False,
                        help_text="The season has a nations' classification (Team Crystal Globe): all points of a nation's skaters and teams, none dropped.",
                    ),
                ),
                (
                    "scoreless_statuses",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text='Statuses that score 0 even with a classified rank, e.g. ["YC"]. A line with no classified rank always scores 0.',
                    ),
                ),
                (
                    "tie_break",
                    models.JSONField(
                        blank=True,
                        default=results.models.default_tie_break,
                        help_text='Tie-break chain for equal net points, tried in order: "countback", "last-race" (the default, both). Empty: ties stand and the rank is shared.',
                    ),
                ),
                (
                    "rules_confidence",
                    models.CharField(
                        choices=[
                            ("sourced", "Sourced"),
                            ("inferred", "Inferred"),
                            ("assumed", "Assumed"),
                        ],
                        default="assumed",
                        help_text="Sourced only when the rules' source below says where they come from.",
                        max_length=8,
                    ),
                ),
                (
                    "rules_source",
                    models.TextField(
                        blank=True,
                        help_text="Where the rules come from and what is still to be confirmed.",
                    ),
                ),
                ("source", models.TextField(blank=True)),
                (
                    "note",
                    models.TextField(
                        blank=True, help_text="Corrections to a source, with its value."
                    ),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "classification_rule",
                    models.CharField(
                        choices=[
                            (
                                "latest-round",
                                "By the last round skated; equal ones by the latest earlier round both skated",
                            ),
                            (
                                "latest-round-only",
                                "By the last round skated; equal ones share the rank",
                            ),
                        ],
                        default="latest-round",
                        help_text="How a race skated in rounds gives its final classification (see the README).",
                        max_length=20,
                    ),
                ),
                (
                    "classification_rule_confidence",
                    models.CharField(
                        choices=[
                            ("sourced", "Sourced"),
                            ("inferred", "Inferred"),
                            ("assumed", "Assumed"),
                        ],
                        default="assumed",
                        help_text="The ISU's text of the rule for 2012–13 was not found: assumed.",
                        max_length=8,
                        verbose_name="confidence of the classification rule",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical season",
                "verbose_name_plural": "historical seasons",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
                "indexes": [],
                "constraints": [],
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalVenue",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=150)),
                ("city", models.CharField(max_length=100)),
                (
                    "source",
                    models.TextField(blank=True, help_text="Where the venue of record comes from."),
                ),
                (
                    "note",
                    models.TextField(blank=True, help_text="Other names, corrections to a source."),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "nation",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="results.nation",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical venue",
                "verbose_name_plural": "historical venues",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
                "indexes": [],
                "constraints": [],
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="EventEntry",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "helmet",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(999),
                        ],
                        verbose_name="helmet number",
                    ),
                ),
                (
                    "athlete",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="entries",
                        to="results.athlete",
                    ),
                ),
                (
                    "event",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="entries",
                        to="results.event",
                    ),
                ),
                (
                    "nation",
                    models.ForeignKey(
                        help_text="Skating for.",
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="entries",
                        to="results.nation",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "entry list",
                "ordering": ["event", "helmet", "athlete__name"],
                "indexes": [],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("event", "athlete"),
                        name="entry_unique_athlete_per_event",
                        violation_error_message="This skater is on the entry list already.",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("helmet__isnull", False)),
                        fields=("event", "helmet"),
                        name="entry_unique_helmet_per_event",
                        violation_error_message="Another skater has this helmet number at the event.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("helmet__isnull", True),
                            models.Q(("helmet__gte", 1), ("helmet__lte", 999)),
                            _connector="OR",
                        ),
                        name="entry_helmet_positive",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="HistoricalEventEntry",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "helmet",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(999),
                        ],
                        verbose_name="helmet number",
                    ),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "athlete",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="results.athlete",
                    ),
                ),
                (
                    "event",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="results.event",
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "nation",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        help_text="Skating for.",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="results.nation",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical event entry",
                "verbose_name_plural": "historical entry list",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
                "indexes": [],
                "constraints": [],
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalRound",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "name",
                    models.CharField(
                        choices=[
                            ("preliminaries", "Preliminaries"),
                            ("heats", "Heats"),
                            ("repechage", "Repechage"),
                            ("quarterfinals", "Quarterfinals"),
                            ("semifinals", "Semifinals"),
                            ("final-b", "Final B"),
                            ("final-a", "Final A"),
                        ],
                        max_length=13,
                    ),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "race",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="results.race",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical round",
                "verbose_name_plural": "historical rounds",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
                "indexes": [],
                "constraints": [],
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="Round",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "name",
                    models.CharField(
                        choices=[
                            ("preliminaries", "Preliminaries"),
                            ("heats", "Heats"),
                            ("repechage", "Repechage"),
                            ("quarterfinals", "Quarterfinals"),
                            ("semifinals", "Semifinals"),
                            ("final-b", "Final B"),
                            ("final-a", "Final A"),
                        ],
                        max_length=13,
                    ),
                ),
                (
                    "revision",
                    models.PositiveIntegerField(
                        default=0,
                        editable=False,
                        help_text="Counts every write to the round and its heats: two officials saving it at once get a conflict, not a silent overwrite.",
                        serialize=False,
                    ),
                ),
                (
                    "race",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="rounds",
                        to="results.race",
                    ),
                ),
            ],
            options={
                "ordering": ["race", "id"],
                "indexes": [],
                "constraints": [
                    models.UniqueConstraint(fields=("race", "name"), name="round_unique_per_race"),
                    models.CheckConstraint(
                        condition=models.Q(
                            (
                                "name__in",
                                [
                                    "preliminaries",
                                    "heats",
                                    "repechage",
                                    "quarterfinals",
                                    "semifinals",
                                    "final-b",
                                    "final-a",
                                ],
                            )
                        ),
                        name="round_name_valid",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="HeatLine",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "heat",
                    models.PositiveSmallIntegerField(
                        default=1,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(999),
                        ],
                    ),
                ),
                (
                    "start",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(999),
                        ],
                        verbose_name="start position",
                    ),
                ),
                (
                    "place",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        help_text="Empty when there is none.",
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(999),
                        ],
                    ),
                ),
                (
                    "time",
                    models.DecimalField(blank=True, decimal_places=3, max_digits=7, null=True),
                ),
                (
                    "status",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("", "Classified"),
                            ("PEN", "Penalty"),
                            ("DNF", "Did not finish"),
                            ("DNS", "Did not start"),
                            ("YC", "Yellow card"),
                        ],
                        default="",
                        max_length=3,
                    ),
                ),
                (
                    "qualification",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("", "—"),
                            ("Q", "Qualified by place"),
                            ("q", "Qualified on time"),
                            ("QA", "To Final A"),
                            ("QB", "To Final B"),
                            ("ADV", "Advanced by the referee"),
                            ("ADA", "Advanced by the referee to Final A"),
                            ("ADB", "Advanced by the referee to Final B"),
                        ],
                        default="",
                        max_length=3,
                    ),
                ),
                ("source", models.TextField(blank=True)),
                (
                    "athlete",
                    models.ForeignKey(
                        blank=True,
                        help_text="Empty for a relay team.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="heat_lines",
                        to="results.athlete",
                    ),
                ),
                (
                    "members",
                    models.ManyToManyField(
                        blank=True,
                        help_text="Relay team members.",
                        related_name="relay_heat_lines",
                        to="results.athlete",
                    ),
                ),
                (
                    "nation",
                    models.ForeignKey(
                        help_text="Skated for.",
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="heat_lines",
                        to="results.nation",
                    ),
                ),
                (
                    "round",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="lines",
                        to="results.round",
                    ),
                ),
            ],
            options={
                "ordering": [
                    "round",
                    "heat",
                    models.OrderBy(models.F("place"), nulls_last=True),
                    "id",
                ],
                "indexes": [],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("athlete__isnull", False)),
                        fields=("round", "athlete"),
                        name="heat_line_unique_athlete_per_round",
                        violation_error_message="This skater already has a line in this round.",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("athlete__isnull", True)),
                        fields=("round", "nation"),
                        name="heat_line_unique_team_per_round",
                        violation_error_message="This nation's team already has a line in this round.",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(
                            ("place__isnull", False),
                            models.Q(("place", 1), ("time__isnull", True), _negated=True),
                        ),
                        fields=("round", "heat", "place"),
                        name="heat_line_unique_place_per_heat",
                        violation_error_message="Two lines of this heat have the same place.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("place__isnull", False),
                            models.Q(("status", ""), _negated=True),
                            ("qualification__in", ("ADV", "ADA", "ADB")),
                            _connector="OR",
                        ),
                        name="heat_line_unplaced_has_status",
                        violation_error_message="A line with no place needs a status or ADV, ADA, ADB.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("status", ""), ("place__isnull", True), _connector="OR"
                        ),
                        name="heat_line_status_unplaced",
                        violation_error_message="A line with a status (PEN, DNF, DNS, YC) has no place.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("heat__gte", 1), ("heat__lte", 999)),
                        name="heat_line_heat_positive",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("place__isnull", True),
                            models.Q(("place__gte", 1), ("place__lte", 999)),
                            _connector="OR",
                        ),
                        name="heat_line_place_positive",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("start__isnull", True),
                            models.Q(("start__gte", 1), ("start__lte", 999)),
                            _connector="OR",
                        ),
                        name="heat_line_start_positive",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("time__isnull", True), ("time__gt", 0), _connector="OR"
                        ),
                        name="heat_line_time_positive",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("status__in", ["", "PEN", "DNF", "DNS", "YC"])),
                        name="heat_line_status_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("qualification__in", ["", "Q", "q", "QA", "QB", "ADV", "ADA", "ADB"])
                        ),
                        name="heat_line_qualification_valid",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="HistoricalHeatLine",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "heat",
                    models.PositiveSmallIntegerField(
                        default=1,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(999),
                        ],
                    ),
                ),
                (
                    "start",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(999),
                        ],
                        verbose_name="start position",
                    ),
                ),
                (
                    "place",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        help_text="Empty when there is none.",
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(999),
                        ],
                    ),
                ),
                (
                    "time",
                    models.DecimalField(blank=True, decimal_places=3, max_digits=7, null=True),
                ),
                (
                    "status",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("", "Classified"),
                            ("PEN", "Penalty"),
                            ("DNF", "Did not finish"),
                            ("DNS", "Did not start"),
                            ("YC", "Yellow card"),
                        ],
                        default="",
                        max_length=3,
                    ),
                ),
                (
                    "qualification",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("", "—"),
                            ("Q", "Qualified by place"),
                            ("q", "Qualified on time"),
                            ("QA", "To Final A"),
                            ("QB", "To Final B"),
                            ("ADV", "Advanced by the referee"),
                            ("ADA", "Advanced by the referee to Final A"),
                            ("ADB", "Advanced by the referee to Final B"),
                        ],
                        default="",
                        max_length=3,
                    ),
                ),
                ("source", models.TextField(blank=True)),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "athlete",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        help_text="Empty for a relay team.",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="results.athlete",
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "nation",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        help_text="Skated for.",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="results.nation",
                    ),
                ),
                (
                    "round",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="results.round",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical heat line",
                "verbose_name_plural": "historical heat lines",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
                "indexes": [],
                "constraints": [],
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalResult_members",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                ("m2m_history_id", models.AutoField(primary_key=True, serialize=False)),
                (
                    "athlete",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_tablespace="",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="results.athlete",
                    ),
                ),
                (
                    "history",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        to="results.historicalresult",
                    ),
                ),
                (
                    "result",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_tablespace="",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="results.result",
                    ),
                ),
            ],
            options={
                "verbose_name": "HistoricalResult_members",
                "indexes": [],
                "constraints": [],
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.RunPython(triggers.create, triggers.drop),
    ]
