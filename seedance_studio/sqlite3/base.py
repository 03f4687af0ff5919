"""Django's SQLite backend, which makes the database file's directory on the first connection.

Settings must not write anything when they are imported (a read-only image, `check`, a linter importing them), so
the directory of the default `var/studio.sqlite3` is made here, where it is first needed, and nowhere else.
"""

from pathlib import Path

from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        name = str(conn_params.get("database", ""))
        if name and name != ":memory:" and not name.startswith("file:"):
            Path(name).parent.mkdir(parents=True, exist_ok=True)
        return super().get_new_connection(conn_params)
