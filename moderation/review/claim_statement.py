"""Claim-next as one SQL statement, compiled once and reused.

``case_claim_next`` (services/cases.py) decides *what* may be claimed: it builds the candidate
queryset with the ORM. This module decides *how* it is claimed: the candidate
``SELECT ... FOR NO KEY UPDATE SKIP LOCKED`` becomes the first part of a single statement that also
claims the case (status, assignee, lease, version) and appends its audit event::

    WITH picked AS MATERIALIZED (<candidates LIMIT 1 FOR NO KEY UPDATE OF moderation_case
                                 SKIP LOCKED>),
         claimed AS (UPDATE moderation_case ... FROM picked ... RETURNING ...),
         audited AS (INSERT INTO moderation_auditevent ... SELECT ... FROM claimed)
    SELECT <the claimed case's columns> FROM claimed

The SQL depends only on who claims and from which queue, so it is kept in a small per-process
LRU; what changes from call to call (the time, the lease, the request's audit columns) is a
``StatementParameter`` and is bound on each execution. Why: building the queue's filter,
compiling the ORM's SQL and saving through the ORM took three times as long as the database
work of a claim, and with 32 moderators pressing at once that Python time was what they queued
for (bench/results/queue.md).
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Expression, Field, QuerySet
from django.db.models.expressions import Col
from django.db.models.sql.compiler import SQLCompiler

from moderation.models import Case

CACHE_SIZE = 512

# The audit columns bound per call, as ``audit_columns`` (services/audit.py) returns them, with
# the casts that keep ``INSERT ... SELECT`` typed whether parameters are bound client-side
# (Django's default) or server-side. object_id, case_id, before and after come from the row.
AUDIT_COLUMNS: dict[str, str] = {
    "created_at": "timestamptz",
    "actor_id": "bigint",
    "actor_kind": "text",
    "actor_organisation_id": "bigint",
    "action": "text",
    "object_type": "text",
    "ip_address": "inet",
    "request_id": "text",
    "client_request_id": "text",
}


class StatementParameter(Expression):
    """A named hole in SQL compiled by the ORM. It compiles to ``%s`` and leaves itself in the
    parameter list, where ``ClaimStatement.execute`` puts this call's value, so the compiled SQL
    can be cached while the value changes."""

    def __init__(self, name: str, output_field: "Field[Any, Any] | None" = None) -> None:
        super().__init__(output_field=output_field)
        self.name = name

    def __repr__(self) -> str:
        return f"StatementParameter({self.name!r})"

    def as_sql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> tuple[str, Any]:
        return "%s", [self]


# The statement returns these columns, in this order, and builds the Case from them.
CASE_FIELDS = tuple(Case._meta.concrete_fields)
CASE_ATTNAMES = [field.attname for field in CASE_FIELDS]

# (column index, the column, a converter): what the ORM applies to a loaded value.
Converters = tuple[tuple[int, Col, Callable[[Any, Col, BaseDatabaseWrapper], Any]], ...]


@dataclass(frozen=True)
class ClaimStatement:
    # Empty when the candidates can match no case at all: nothing to run.
    sql: str
    # Constants, and a StatementParameter wherever a per-call value goes.
    params: tuple[Any, ...]
    using: str
    # For the CASE_FIELDS values the ORM converts on loading (JSON text to Python), worked
    # out once here as SQLCompiler would on every query.
    converters: Converters = ()

    def execute(self, values: Mapping[str, Any]) -> Case | None:
        """Run the statement with this call's ``values`` (by parameter name): the claimed case,
        or None when nothing is left. Call inside ``transaction.atomic()``."""
        if not self.sql:
            return None
        params = [values[p.name] if isinstance(p, StatementParameter) else p for p in self.params]
        connection = connections[self.using]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            row = cursor.fetchone()
        if row is None:
            return None
        loaded = list(row)
        for index, column, convert in self.converters:
            loaded[index] = convert(loaded[index], column, connection)
        return Case.from_db(self.using, CASE_ATTNAMES, loaded)


def _converters(connection: BaseDatabaseWrapper) -> Converters:
    table = Case._meta.db_table
    return tuple(
        (index, column, convert)
        for index, field in enumerate(CASE_FIELDS)
        for column in [field.get_col(table)]
        for convert in [
            *connection.ops.get_db_converters(column),
            *field.get_db_converters(connection),
        ]
    )


def claim_statement_build(
    *, candidates: QuerySet[Case], new_status: Mapping[str, str], via: str
) -> ClaimStatement:
    """Compile the claim statement around ``candidates`` (ordered best first).

    ``new_status`` maps each status a candidate can have to the status a claim moves it to
    (from ``transitions.next_status``); it becomes a SQL ``CASE``. The per-call values are the
    parameters ``assignee_id``, ``lease_expires_at``, ``updated_at``, the ``AUDIT_COLUMNS`` and
    whatever StatementParameter ``candidates`` holds. Must run inside a transaction (the ORM
    refuses to compile SELECT ... FOR UPDATE outside one).
    """
    # FOR NO KEY UPDATE, like the other case locks (services/cases.py _lock): it still excludes
    # every other claimer, but not the inserts (flags, audit events) that reference the case.
    picked = candidates.only("status").select_for_update(
        skip_locked=True, of=("self",), no_key=True
    )[:1]
    try:
        picked_sql, picked_params = picked.query.get_compiler(using=candidates.db).as_sql()
    except EmptyResultSet:  # no case can ever match (a user with no platform to work)
        return ClaimStatement(sql="", params=(), using=candidates.db)
    params: list[Any] = list(picked_params)

    status_case = "CASE picked.status"
    for before, after in new_status.items():
        status_case += " WHEN %s THEN %s"
        params += [before, after]
    status_case += " END"  # no ELSE: a status without a claim transition fails the NOT NULL
    params += [StatementParameter(name) for name in ("assignee_id", "lease_expires_at")]
    params += [StatementParameter("updated_at")]
    params += [StatementParameter(name) for name in AUDIT_COLUMNS]
    params += [via]

    audit_values = ", ".join(f"%s::{cast}" for cast in AUDIT_COLUMNS.values())
    columns = ", ".join(f'claimed."{field.column}"' for field in CASE_FIELDS)
    sql = f"""
WITH picked AS MATERIALIZED ({picked_sql}),
claimed AS (
    UPDATE moderation_case AS c
    SET status = {status_case}, assignee_id = %s, lease_expires_at = %s,
        version = c.version + 1, updated_at = %s
    FROM picked
    WHERE c.id = picked.id
    RETURNING c.*, picked.status AS status_before
),
audited AS (
    INSERT INTO moderation_auditevent ({", ".join(AUDIT_COLUMNS)},
        object_id, case_id, before, after)
    SELECT {audit_values},
        claimed.id::text, claimed.id,
        jsonb_build_object('status', claimed.status_before),
        jsonb_build_object(
            'status', claimed.status, 'assignee', claimed.assignee_id, 'via', %s::text)
    FROM claimed
)
SELECT {columns} FROM claimed"""  # noqa: S608 (SQL from the ORM and the models; values are parameters)
    return ClaimStatement(
        sql=sql,
        params=tuple(params),
        using=candidates.db,
        converters=_converters(connections[candidates.db]),
    )


_cache: OrderedDict[Hashable, ClaimStatement] = OrderedDict()
_cache_lock = threading.Lock()


def claim_statement_cached(*, key: Hashable, build: Callable[[], ClaimStatement]) -> ClaimStatement:
    """The statement for ``key``, built on first use and kept in a per-process LRU.

    ``key`` must determine the SQL entirely (the caller's user, what they may work, the queue's
    filters): a statement is never rebuilt for the same key.
    """
    with _cache_lock:
        statement = _cache.get(key)
        if statement is not None:
            _cache.move_to_end(key)
            return statement
    statement = build()
    with _cache_lock:
        _cache[key] = statement
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return statement
