"""ORM queries compiled to SQL once per process, then run with each request's values.

The circle and meeting pages run the same few queries on every request, and building one
(the queryset's clones, the compiler, the joins, the SQL) cost 0.5 to 2 ms of
Python for a query PostgreSQL answers in 0.1 to 0.5 ms. ``CompiledQuery``
writes a ``values_list()`` queryset once with marker values in place of the
request's (a slug, ids), keeps its SQL and where each marker landed among the
parameters, and from then on only swaps the values in, runs the SQL on
Django's cursor (so query counts and wrappers still see it) and applies the
database's converters (SQLite's datetimes and booleans). The query stays
written with the ORM, so it reads the same and works on every backend.

A page of a list (``paged=True``) takes its LIMIT and OFFSET as parameters too:
the ORM writes a slice into the SQL as numbers, which would compile the query
again for every page.

On PostgreSQL the SQL is also *prepared*: sent once per connection with its
parameters bound on the server, so PostgreSQL parses and plans it once instead of on
every request (planning was 0.2 to 0.4 ms of its CPU a query, more than running
these). Only these queries bind on the server; Django's own cursors bind on the
client, as the ORM's SQL is not written to be prepared. Prepared statements live
per connection, which a pooler in transaction mode (PgBouncer before 1.21) does not
keep: ``DB_PREPARED_STATEMENTS=0`` turns them off (config/settings.py), and the
queries run on Django's cursor as before.

A request's first compiled read (on a signed-in page, the person's) is also the kept
connection's health check (``_checks_by_reading``): Django would send ``SELECT 1``
before it, one more round trip on every request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import DatabaseError, connections
from django.db.models import QuerySet


class CompiledQuery:
    """A ``values_list()`` queryset built by ``build(**markers)``, compiled once per database.

    Every marker must reach the SQL as a parameter of its own, unchanged (ints and
    strings do) or as the database adapts a datetime (SQLite writes it as text);
    compiling fails loudly when one does not, rather than running a query with
    the marker in it. A datetime marker (e.g. "now") must be aware and unlike any
    value the query holds. With ``paged``, ``build`` returns an ordered, unsliced
    queryset and ``rows()`` takes ``limit`` and ``offset``.
    """

    def __init__(
        self,
        build: Callable[..., QuerySet],
        *,
        paged: bool = False,
        **markers: int | str | dt.datetime,
    ) -> None:
        self._build = build
        self._paged = paged
        self._markers = markers
        self._compiled: dict[str, tuple[str, tuple, list]] = {}

    def _compile(self, using: str) -> tuple[str, tuple, list]:
        connection = connections[using]
        queryset = self._build(**self._markers)
        if self._paged and (queryset.query.is_sliced or not queryset.ordered):
            raise ValueError("a paged query is built ordered and without a slice")
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        if self._paged:
            # After the ORDER BY, as the ORM writes a slice; both values are parameters.
            sql += " LIMIT %s OFFSET %s"
        by_value = {
            _typed(_adapt(value, connection)): name for name, value in self._markers.items()
        }
        slots = tuple((by_value.get(_typed(param)), param) for param in params)
        missing = set(self._markers) - {name for name, _ in slots}
        if missing:
            raise ValueError(f"markers not found among the query's parameters: {missing}")
        columns = [column for column, _, _ in compiler.select]
        converters = list(compiler.get_converters(columns).items())
        compiled = (sql, slots, converters)
        self._compiled[using] = compiled
        return compiled

    def rows(
        self, using: str = "default", *, limit: int = 0, offset: int = 0, **values: Any
    ) -> list:
        """The rows as tuples (lists where a converter ran), for these values.

        A paged query returns at most ``limit`` rows after the first ``offset``.
        """
        sql, slots, converters = self._compiled.get(using) or self._compile(using)
        connection = connections[using]
        params = [
            _adapt(values[name], connection) if name is not None else constant
            for name, constant in slots
        ]
        if self._paged:
            params += [int(limit), int(offset)]
        if _checks_by_reading(connection):
            rows = _read_as_health_check(connection, sql, params)
        else:
            rows = _read(connection, sql, params)
        if not converters:
            return rows
        converted = []
        for row in rows:
            row = list(row)
            for position, (functions, expression) in converters:
                value = row[position]
                for function in functions:
                    value = function(value, expression, connection)
                row[position] = value
            converted.append(row)
        return converted


def _read(connection, sql: str, params: list) -> list:
    with _cursor(connection) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _checks_by_reading(connection) -> bool:
    """Whether this read is the first on a kept connection that is due its health check.

    Django checks a kept connection (``CONN_HEALTH_CHECKS``) with a ``SELECT 1``
    before a request's first query: one more round trip to PostgreSQL on every request.
    A compiled read is a SELECT that can simply be sent again, so it is the check
    itself. Only outside a transaction, where nothing is lost with the connection.
    """
    return (
        connection.health_check_enabled
        and not connection.health_check_done
        and connection.connection is not None
        and not connection.in_atomic_block
    )


def _read_as_health_check(connection, sql: str, params: list) -> list:
    """The read, which also checks the connection: when it fails because the connection
    is gone (the server restarted, a proxy closed it), the connection is replaced and the
    read sent once more, as the ``SELECT 1`` would have replaced it before the read."""
    connection.health_check_done = True
    try:
        return _read(connection, sql, params)
    except DatabaseError:
        if connection.is_usable():
            raise  # the query failed, not the connection
    connection.close()
    return _read(connection, sql, params)


def _cursor(connection):
    """Django's cursor, or on PostgreSQL with prepared statements on, one that prepares.

    The preparing cursor is made and wrapped as Django makes and wraps its own
    (``connection.cursor()``, ``create_cursor()``): the health check, the connection,
    the thread check, the time zone its datetimes are read in, database errors as
    Django's, and the wrappers that count and log queries.
    """
    if connection.vendor != "postgresql" or not prepares(connection):
        return connection.cursor()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    preparing, debug, in_connection_zone = _preparing_classes()
    with connection.wrap_database_errors:
        cursor = preparing(connection.connection)
    in_connection_zone(connection, cursor)
    if connection.queries_logged:
        return debug(cursor, connection)
    return connection.make_cursor(cursor)


def prepares(connection) -> bool:
    """Whether compiled queries are prepared on this connection (PostgreSQL, setting on)."""
    return connection.settings_dict["OPTIONS"].get("prepare_threshold") is not None


_CLASSES: list[tuple[type, type, Callable]] = []


def _preparing_classes() -> tuple[type, type, Callable]:
    """A server-binding cursor that prepares what it runs, Django's debug wrapper for it,
    and create_cursor()'s time-zone step (made on first use: this module is imported on
    SQLite too, without psycopg loaded).

    Django's debug wrapper logs the SQL psycopg last sent, which a prepared statement
    does not leave behind; this one logs the SQL with its values, as the ORM's queries
    are logged, so query counts and tests that read the SQL see it the same way.
    """
    if not _CLASSES:
        from django.db.backends.postgresql.base import (
            TIMESTAMPTZ_OID,
            CursorDebugWrapper,
            ServerBindingCursor,
            register_tzloader,
        )
        from django.db.backends.utils import CursorWrapper
        from psycopg.pq import Format

        class PreparingCursor(ServerBindingCursor):
            def execute(self, query, params=None, *, prepare=None, binary=None):
                return super().execute(query, params, prepare=True, binary=binary)

        class PreparedDebugWrapper(CursorDebugWrapper):
            def execute(self, sql, params=None):
                with self.debug_sql(self.db.ops.compose_sql(sql, params), params):
                    return CursorWrapper.execute(self, sql, params)

        def in_connection_zone(connection, cursor) -> None:
            """Datetimes read in the connection's zone, as create_cursor() does."""
            loader = connection.connection.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)
            if connection.timezone != loader.timezone:
                register_tzloader(connection.timezone, cursor)

        _CLASSES.append((PreparingCursor, PreparedDebugWrapper, in_connection_zone))
    return _CLASSES[0]


def _adapt(value: Any, connection) -> Any:
    """A datetime as the database takes it among a query's parameters; any other value as it is."""
    if isinstance(value, dt.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


def _typed(value: Any) -> tuple[type, Any]:
    """A parameter keyed by its type too: 1 and True, or 1 and "1", are different markers."""
    return (type(value), value)
