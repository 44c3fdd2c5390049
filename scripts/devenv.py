#!/usr/bin/env python3
"""Run a command with DATABASE_URL and REDIS_URL pointing at a PostgreSQL and a Redis that answer.

    python scripts/devenv.py -- python manage.py migrate

A URL already set in the environment is used as it is. Otherwise DATABASE_URL comes from the
private PostgreSQL under var/pg (scripts/devdb.py) and REDIS_URL from the machine's Redis on
127.0.0.1:6379 or a private one under var/redis (scripts/devredis.py). Both are started when
needed. This is what every make target that needs the database goes through.

Only the process environment counts: a DATABASE_URL in .env is not seen here (that file is for
docker compose), so `make run` on a laptop never points at a compose hostname by accident.
"""

from __future__ import annotations

import os
import sys

import devdb
import devredis


def main(argv: list[str]) -> None:
    if argv and argv[0] == "--":
        argv = argv[1:]
    if not argv:
        sys.exit(__doc__)
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = devdb.start()
    if not os.environ.get("REDIS_URL"):
        os.environ["REDIS_URL"] = devredis.start()
    print(
        f"devenv: DATABASE_URL={os.environ['DATABASE_URL']} REDIS_URL={os.environ['REDIS_URL']}",
        file=sys.stderr,
        flush=True,
    )
    os.execvp(argv[0], argv)


if __name__ == "__main__":
    main(sys.argv[1:])
