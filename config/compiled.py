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
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import connections
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
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
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


def _adapt(value: Any, connection) -> Any:
    """A datetime as the database takes it among a query's parameters; any other value as it is."""
    if isinstance(value, dt.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


def _typed(value: Any) -> tuple[type, Any]:
    """A parameter keyed by its type too: 1 and True, or 1 and "1", are different markers."""
    return (type(value), value)
