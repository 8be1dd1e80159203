"""Check that the packages this course pins are installed at the pinned versions.

The pins are read from the installed package's own metadata (pyproject.toml),
so there is one list of versions for the whole course.
"""

import re
from importlib import metadata

__all__ = ["pinned_versions", "check_environment"]

_PIN = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*==\s*([^\s;,]+)")
# Extras for instructors, not part of a student's environment (nor of its check).
INSTRUCTOR_EXTRAS = ("cluster",)


def pinned_versions():
    """``{package: version}`` for every ``==`` pin of the course, helpers and extras alike.

    Examples
    --------
    >>> pinned_versions()["numpy"]
    '2.4.6'
    """
    pins = {}
    for requirement in metadata.requires("source-helpers") or []:
        if any(re.search(rf"extra\s*==\s*['\"]{name}['\"]", requirement) for name in INSTRUCTOR_EXTRAS):
            continue
        match = _PIN.match(requirement)
        if match:
            pins[match.group(1).lower()] = match.group(2)
    return pins


def check_environment():
    """Compare installed versions with the pins.

    Returns
    -------
    rows : list of (package, pinned, installed, ok)
        ``installed`` is None when the package is missing.
    """
    rows = []
    for package, pinned in sorted(pinned_versions().items()):
        try:
            installed = metadata.version(package)
        except metadata.PackageNotFoundError:
            installed = None
        rows.append((package, pinned, installed, installed == pinned))
    return rows
