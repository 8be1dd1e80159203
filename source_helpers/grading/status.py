"""Each submission's grading status, kept in the gradebook's own database, where every grader sees it.

nbgrader's gradebook has scores but no place for "this submission could not
be graded" or "look at this": without them an ungradable submission exports
as a plain 0. The class grader keeps, per chapter and student, the last
``Outcome`` (status, flags, error, fingerprint) in one table of the same
database, ``cv_grading_status``: an SQLite gradebook has it in
``gradebook.db``, a PostgreSQL one on the server, so a second grader's export
from another course folder shows the same status and flags.
``autograded/grading-status.json`` stays as a local copy for reading by eye.
"""

import json

import sqlalchemy

__all__ = ["TABLE", "read_status", "write_status"]

TABLE = "cv_grading_status"
_engines = {}


def _engine(db_url):
    if db_url not in _engines:
        engine = sqlalchemy.create_engine(db_url)
        with engine.begin() as connection:
            connection.execute(sqlalchemy.text(
                f"CREATE TABLE IF NOT EXISTS {TABLE} (assignment VARCHAR(128) NOT NULL, "
                "student VARCHAR(128) NOT NULL, entry TEXT NOT NULL, PRIMARY KEY (assignment, student))"))
        _engines[db_url] = engine
    return _engines[db_url]


def read_status(db_url):
    """``{"chapter/student": entry}`` of every submission the class grader has recorded."""
    with _engine(db_url).connect() as connection:
        rows = connection.execute(sqlalchemy.text(f"SELECT assignment, student, entry FROM {TABLE}")).fetchall()
    entries = {}
    for assignment, student, entry in rows:
        try:
            entries[f"{assignment}/{student}"] = json.loads(entry)
        except ValueError:
            continue
    return entries


def write_status(db_url, entry):
    """Record ``entry`` (an ``Outcome`` as a dict) for its chapter and student, replacing the one before."""
    with _engine(db_url).begin() as connection:
        connection.execute(sqlalchemy.text(
            f"INSERT INTO {TABLE} (assignment, student, entry) VALUES (:assignment, :student, :entry) "
            "ON CONFLICT (assignment, student) DO UPDATE SET entry = excluded.entry"),
            {"assignment": entry["chapter"], "student": entry["student"], "entry": json.dumps(entry, sort_keys=True)})
