"""Instructor and maintainer tooling on nbgrader's Python API.

- ``course``: the course directory, its chapters, nbgrader's configuration,
  and regenerating the student release.
- ``outputs``: run a solution notebook and keep the outputs that nbval checks.
- ``trial``: grade a chapter in a scratch course directory as if students had
  submitted it (the blank release, the solution, or any notebook you give).
- ``batch``: autograde a class one student at a time, with progress.

Command line: ``python -m source_helpers.grading {release,outputs,try,autograde} [chapter ...]``.
"""
