"""A term's bookkeeping around the gradebook: the class roster, and backups that are safe while grading runs.

- ``import_roster`` reads a CSV of the class (``id``, ``first_name``,
  ``last_name``, ``email``) into the gradebook, so that ``make export``
  lists every student, with ``not submitted`` where that is so.
- ``backup_gradebook`` copies the gradebook consistently: an SQLite gradebook
  through SQLite's backup API (it runs in write-ahead-log mode while grading,
  so copying ``gradebook.db`` alone can lose what is still in
  ``gradebook.db-wal``), a PostgreSQL one with ``pg_dump``.
"""

import csv
import glob
import os
import shutil
import sqlite3
import subprocess
import time
from pathlib import Path

from nbgrader.api import Gradebook

__all__ = ["ROSTER_COLUMNS", "import_roster", "backup_gradebook"]

ROSTER_COLUMNS = ("id", "first_name", "last_name", "email")


def import_roster(db_url, path):
    """Add or update the students of the roster CSV at ``path``; returns ``(added, updated)``.

    The file needs a header with the column ``id`` (the student's nbgrader id, the name of their
    folder in ``submitted/``); ``first_name``, ``last_name`` and ``email`` are optional.

    Raises
    ------
    ValueError
        If the file has no ``id`` column, or a row without an id; nothing is imported then.
    """
    path = Path(path)
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        columns = [c.strip().lower() for c in reader.fieldnames or []]
        if "id" not in columns:
            raise ValueError(f"`{path.name}` must have a header row with a column `id` (and optionally "
                             f"{', '.join(ROSTER_COLUMNS[1:])}); its columns are: {', '.join(columns) or 'none'}")
        rows = []
        for number, row in enumerate(reader, start=2):
            row = {str(k).strip().lower(): (v or "").strip() for k, v in row.items() if k is not None}
            if not row.get("id"):
                raise ValueError(f"`{path.name}` line {number} has no student id; nothing was imported")
            rows.append(row)
    added = updated = 0
    with Gradebook(db_url) as gradebook:
        known = {student.id for student in gradebook.students}
        for row in rows:
            details = {key: row[key] for key in ROSTER_COLUMNS[1:] if row.get(key)}
            gradebook.update_or_create_student(row["id"], **details)
            if row["id"] in known:
                updated += 1
            else:
                added += 1
                known.add(row["id"])
    return added, updated


def _pg_dump():
    found = shutil.which("pg_dump") or next(iter(sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_dump"),
                                                        reverse=True)), None)
    if found is None:
        raise FileNotFoundError("pg_dump is not installed (Debian: apt-get install postgresql-client)")
    return found


def backup_gradebook(db_url, folder):
    """Write a consistent copy of the gradebook into ``folder``; returns its path.

    SQLite: a ``.db`` file made with SQLite's backup API, safe while grading
    writes. PostgreSQL: a ``pg_dump --format=custom`` file (restore it with
    ``pg_restore``).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    if db_url.startswith("sqlite:///"):
        source = db_url[len("sqlite:///"):]
        if not os.path.isfile(source):
            raise FileNotFoundError(f"there is no gradebook at {source}")
        target = folder / f"gradebook-{stamp}.db"
        with sqlite3.connect(source, timeout=60) as reading, sqlite3.connect(target) as writing:
            reading.backup(writing)
        return target
    if db_url.startswith(("postgresql", "postgres")):
        target = folder / f"gradebook-{stamp}.pgdump"
        url = db_url.replace("postgresql+psycopg://", "postgresql://").replace("postgresql+psycopg2://",
                                                                             "postgresql://")
        result = subprocess.run([_pg_dump(), "--format=custom", f"--file={target}", url],
                                capture_output=True, text=True, timeout=3600)
        if result.returncode != 0:
            raise RuntimeError(f"pg_dump failed: {result.stderr.strip()[-500:]}")
        return target
    raise ValueError(f"`db_url` {db_url!r}: only SQLite and PostgreSQL gradebooks can be backed up here")
