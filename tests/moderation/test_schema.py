"""The database has what the models declare, after every migration: each named index and
constraint exists, and each foreign key can be looked up through an index that starts with its
column (its own, or, where it has none, a unique constraint or composite index that covers it).

Written after a migration that turned off foreign keys' own indexes: Django's AlterField drops
every single-column index on the column that is not in Meta.indexes, which would have taken the
partial unique index case_one_open_per_video with it."""

import pytest
from django.apps import apps
from django.db import connection, models

pytestmark = pytest.mark.django_db

MODELS = list(apps.get_app_config("moderation").get_models())


def _indexes(table: str) -> dict[str, list[str]]:
    """Index name -> its columns, in order."""
    with connection.cursor() as cursor:
        return {
            name: info["columns"]
            for name, info in connection.introspection.get_constraints(cursor, table).items()
            if info["index"] or info["unique"] or info["primary_key"]
        }


def _constraint_names(table: str) -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.get_constraints(cursor, table))


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_declared_index_and_constraint_exists(model):
    names = _constraint_names(model._meta.db_table)
    declared = [i.name for i in model._meta.indexes] + [c.name for c in model._meta.constraints]
    assert [name for name in declared if name not in names] == []


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_foreign_key_has_an_index_starting_with_its_column(model):
    indexes = _indexes(model._meta.db_table)
    leading = {columns[0] for columns in indexes.values() if columns}
    foreign_keys = [f for f in model._meta.concrete_fields if isinstance(f, models.ForeignKey)]
    assert [f.column for f in foreign_keys if f.column not in leading] == []


def test_the_one_open_case_per_video_index_is_unique_and_partial():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'case_one_open_per_video'"
        )
        (definition,) = cursor.fetchone()
    assert definition.startswith("CREATE UNIQUE INDEX")
    assert "(video_id) WHERE" in definition
