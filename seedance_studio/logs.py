"""Log lines for people (plain) or for log collectors (LOG_FORMAT=json: one JSON object a line).

A JSON line carries the time (UTC, ISO 8601), level, logger and message, the exception when there is one, and
whatever a caller passed in `extra=` (the job transition lines pass `job`, `provider`, `task`, `transition`,
`from_status` and `to_status`), so a collector can filter on them without parsing the message. Nothing secret is
ever passed: callers log ids and states, never keys, signed URLs or bodies.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

# The attributes every LogRecord has; anything else on a record came from `extra=`.
_STANDARD = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str, ensure_ascii=False)
