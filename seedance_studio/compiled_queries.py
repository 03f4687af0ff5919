"""Model queries that a hot path runs on every request, compiled to SQL once per database.

The live check runs on every keystroke, and for a query as small as "this draft's twelve references" building
and compiling the ORM query, then going through a RawQuerySet, cost several times what SQLite or PostgreSQL take
to answer it. `CompiledModelQuery` keeps the ORM as the author of the SQL (so it follows the models) and builds
the instances the way Django's own model iterator does: the same columns, the same database converters (asked of
the running thread's connection), `Model.from_db`, and annotations set as attributes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import connections
from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class CompiledModelQuery(Generic[M]):
    sql: str
    params: tuple
    model: type[M]
    field_names: tuple[str, ...]  # the model's columns, in the order the SELECT returns them
    model_columns: slice
    annotations: tuple[tuple[str, int], ...]  # (attribute, column)
    converted: tuple[tuple[int, Any], ...]  # (column, expression) of the columns the database backend converts

    @classmethod
    def compile(cls, queryset: QuerySet[M], alias: str) -> CompiledModelQuery[M]:
        compiler = queryset.query.get_compiler(alias)
        sql, params = compiler.as_sql()
        info = compiler.klass_info
        if info is None or info.get("related_klass_infos"):
            raise ValueError("only a query of one model's rows (no select_related) can be compiled here")
        start, end = info["select_fields"][0], info["select_fields"][-1] + 1
        expressions = [column for column, _sql, _alias in compiler.select]
        return cls(
            sql=sql,
            params=tuple(params),
            model=info["model"],
            field_names=tuple(column.target.attname for column in expressions[start:end]),
            model_columns=slice(start, end),
            annotations=tuple(compiler.annotation_col_map.items()),
            converted=tuple(_converted(compiler, expressions)),
        )

    def run(self, alias: str, params: Sequence) -> list[M]:
        connection = connections[alias]
        converters = [
            (
                column,
                connection.ops.get_db_converters(expression) + expression.get_db_converters(connection),
                expression,
            )
            for column, expression in self.converted
        ]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        instances = []
        for fetched in rows:
            row = list(fetched)
            for column, functions, expression in converters:
                for convert in functions:
                    row[column] = convert(row[column], expression, connection)
            instance = self.model.from_db(alias, self.field_names, row[self.model_columns])
            for attribute, column in self.annotations:
                setattr(instance, attribute, row[column])
            instances.append(instance)
        return instances


def _converted(compiler, expressions) -> list[tuple[int, Any]]:
    return [(column, expression) for column, (_functions, expression) in compiler.get_converters(expressions).items()]
