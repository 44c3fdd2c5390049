"""Plain SQL for the statements ingest runs for every event.

Profiling the processing of one flag showed most of its CPU in the ORM's query compiler and
save() machinery, for a dozen statements whose shape never changes. These helpers keep the
models as the source of truth (table and column names, and each field's own conversion of
values) without compiling the statements again for every event.
tests/moderation/test_ingest.py checks they read and write what the ORM does.
"""

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone


def columns(model: type[models.Model], alias: str) -> str:
    return ", ".join(f"{alias}.{f.column}" for f in model._meta.concrete_fields)


def instance_from_row[M: models.Model](model: type[M], row: Sequence[Any]) -> M:
    """A model instance from a row of _columns(model), converted as the ORM would (JSON...)."""
    fields = model._meta.concrete_fields
    values = []
    for field, value in zip(fields, row, strict=True):
        for converter in field.get_db_converters(connection):
            value = converter(value, field, connection)
        values.append(value)
    return model.from_db(connection.alias, [f.attname for f in fields], values)


def _update_targets(
    meta: Any, instances: Sequence[models.Model], fields: Iterable[str]
) -> list[models.Field]:
    """The columns to write for these field names, auto_now ones added and set to now on the
    instances, as save(update_fields=...) does."""
    names = list(dict.fromkeys(fields))
    now = timezone.now()
    for field in meta.concrete_fields:
        if getattr(field, "auto_now", False):
            for instance in instances:
                setattr(instance, field.attname, now)
            if field.name not in names:
                names.append(field.name)
    targets: list[models.Field] = []
    for name in names:
        column = meta.get_field(name)
        if not isinstance(column, models.Field):
            raise TypeError(f"{meta.label}.{name} is not a column")
        targets.append(column)
    return targets


def row_update(instance: models.Model, fields: Iterable[str]) -> None:
    """UPDATE the given fields of one row, like save(update_fields=...) (auto_now included)."""
    meta = instance._meta
    targets = _update_targets(meta, [instance], fields)
    assignments = [f"{f.column} = %s" for f in targets]
    params = [f.get_db_prep_save(getattr(instance, f.attname), connection) for f in targets]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {meta.db_table} SET {', '.join(assignments)} WHERE id = %s",  # noqa: S608
            [*params, instance.pk],
        )


def rows_update_many(
    model: type[models.Model], instances: Sequence[models.Model], fields: Iterable[str]
) -> None:
    """UPDATE the given fields of many rows in one statement (UPDATE ... FROM VALUES), each row
    to its instance's values; auto_now fields are set to now, as row_update does."""
    if not instances:
        return
    meta = model._meta
    targets = _update_targets(meta, instances, fields)
    pk_type = meta.pk.rel_db_type(connection)
    row = "(" + ", ".join([f"%s::{pk_type}"] + [f"%s::{f.db_type(connection)}" for f in targets])
    row += ")"
    params: list[Any] = []
    for instance in instances:
        params.append(instance.pk)
        params += [f.get_db_prep_save(getattr(instance, f.attname), connection) for f in targets]
    aliases = ", ".join(["id"] + [f"c{i}" for i in range(len(targets))])
    assignments = ", ".join(f"{f.column} = v.c{i}" for i, f in enumerate(targets))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {meta.db_table} AS t SET {assignments} "  # noqa: S608 (names from the model)
            f"FROM (VALUES {', '.join([row] * len(instances))}) AS v({aliases}) "
            "WHERE t.id = v.id",
            params,
        )


def ids_reserve(model: type[models.Model], count: int) -> list[int]:
    """``count`` new primary keys from the table's own sequence, for rows written by COPY
    (which cannot return them)."""
    if count == 0:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, count],
        )
        return [row[0] for row in cursor.fetchall()]


def rows_copy(
    model: type[models.Model], column_names: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """COPY rows into the model's table, in the current transaction: for hundreds of rows at
    once, without the ORM's per-value work. Values are as psycopg dumps them (JSON wrapped in
    psycopg.types.json.Jsonb); the caller checks the columns exist (a wrong name fails)."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor: COPY is not part of the DB-API
        with raw.copy(f"COPY {table} ({', '.join(column_names)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
