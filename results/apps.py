from django.apps import AppConfig
from django.db.migrations.serializer import BaseSerializer, Serializer

from results.vocabulary import Words


class WordSerializer(BaseSerializer):
    """A word of the vocabulary is written into migrations as its plain value ('men', not
    results.vocabulary.Gender['MEN']), as Django writes TextChoices: a migration never depends
    on how the vocabulary is spelled in code."""

    def serialize(self) -> tuple[str, set[str]]:
        return repr(self.value.value), set()


class ResultsConfig(AppConfig):
    name = "results"
    verbose_name = "World Cup results"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate, post_save

        from results import tables, versioning
        from results.models import Athlete, fold_names
        from results.roles import sync_roles

        # Ahead of Django's serializer for every Enum, as its own for TextChoices is.
        Serializer._registry = {Words: WordSerializer, **Serializer._registry}
        versioning.connect()
        post_save.connect(fold_names, sender=Athlete, dispatch_uid="results-fold-names")
        tables.cache_render_signatures()
        # Connected after auth's receiver (auth is ready first), which makes the permissions.
        post_migrate.connect(sync_roles, sender=self, dispatch_uid="results-roles")
