"""Print the PostgreSQL URL the tests should use, if a server answers there; exit 1 otherwise.

`make test` runs the suite a second time on PostgreSQL when this finds one (DATABASE_URL, or the local
default 127.0.0.1:5432 with trust authentication).
"""

import os
import sys

DEFAULT = "postgres://postgres@127.0.0.1:5432/abonent"


def main() -> int:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        url = DEFAULT
    try:
        import psycopg  # noqa: PLC0415  (inside the try: no driver, like no server, means SQLite only)

        # Connect to the maintenance database: the test database is created by the test runner.
        base = url.rsplit("/", 1)[0] + "/postgres"
        psycopg.connect(base.replace("postgres://", "postgresql://", 1), connect_timeout=3).close()
    except Exception as exc:  # any failure means "no PostgreSQL here": the SQLite run still counts
        print(f"PostgreSQL не отвечает ({exc.__class__.__name__}); тесты только на SQLite.", file=sys.stderr)
        return 1
    print(url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
