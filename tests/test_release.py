"""The student release: regenerated from solutions/, committed, clean, and not stale."""

import json
import re

import nbformat
import pytest

from source_helpers.grading.course import generate_release
from source_helpers.grading.outputs import is_checked
from source_helpers.grading.trial import nbgrader_meta

from conftest import CHAPTERS, ROOT


def read(path):
    return nbformat.read(path, as_version=4)


def solution_blocks(source):
    """The code between the solution markers of a source cell."""
    return re.findall(r"### BEGIN SOLUTION\n(.*?)\n\s*### END SOLUTION", source, flags=re.S)


def test_every_chapter_has_a_release():
    released = sorted(p.name for p in (ROOT / "notebooks").iterdir() if p.is_dir())
    assert released == CHAPTERS, "notebooks/ and solutions/ hold different chapters: run `make release`"


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    """A fresh release of every chapter, generated in a copy of the course."""
    import shutil

    course = tmp_path_factory.mktemp("course")
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "solutions", course / "solutions")
    generate_release(course)
    return course / "notebooks"


def canonical(path):
    return json.dumps(nbformat.read(path, as_version=4), sort_keys=True, indent=1)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_release_is_not_stale(chapter, regenerated):
    committed = sorted(p.relative_to(ROOT / "notebooks" / chapter) for p in (ROOT / "notebooks" / chapter).rglob("*") if p.is_file())
    fresh = sorted(p.relative_to(regenerated / chapter) for p in (regenerated / chapter).rglob("*") if p.is_file())
    assert committed == fresh, f"notebooks/{chapter} holds other files than a fresh release: run `make release`"
    for name in fresh:
        if name.suffix == ".ipynb":
            same = canonical(ROOT / "notebooks" / chapter / name) == canonical(regenerated / chapter / name)
        else:
            same = (ROOT / "notebooks" / chapter / name).read_bytes() == (regenerated / chapter / name).read_bytes()
        assert same, f"notebooks/{chapter}/{name} is stale: run `make release` and commit it"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_release_holds_no_solutions_hidden_tests_or_outputs(chapter):
    release = read(ROOT / "notebooks" / chapter / f"{chapter}.ipynb")
    source = read(ROOT / "solutions" / chapter / f"{chapter}.ipynb")
    text = "\n".join(cell.source for cell in release.cells)
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
        assert marker not in text, f"{chapter}: the release still contains {marker!r}"
    for cell in release.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, f"{chapter}: a released cell has outputs"
    released = {nbgrader_meta(c).get("grade_id"): c.source for c in release.cells}
    for cell in source.cells:
        for block in solution_blocks(cell.source):
            grade_id = nbgrader_meta(cell).get("grade_id")
            stub = released.get(grade_id, "")
            leaked = [l for l in block.splitlines() if l.strip() and l.strip() in {s.strip() for s in stub.splitlines()}]
            assert not leaked, f"{chapter}: the release of {grade_id} contains solution lines {leaked}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_graded_cells_are_locked_and_worth_points(chapter):
    release = read(ROOT / "notebooks" / chapter / f"{chapter}.ipynb")
    graded = [nbgrader_meta(c) for c in release.cells if nbgrader_meta(c).get("grade")]
    assert graded, f"{chapter} has no graded cells"
    for meta in graded:
        assert meta.get("locked") is True, f"{chapter}: graded cell {meta['grade_id']} is not locked"
        assert meta.get("points", 0) > 0, f"{chapter}: graded cell {meta['grade_id']} is worth no points"
    answers = [c for c in release.cells if nbgrader_meta(c).get("solution")]
    for cell in answers:
        assert "raise NotImplementedError()" in cell.source, f"{chapter}: answer cell {nbgrader_meta(cell)['grade_id']} has no stub"
        # A function exercise starts with its signature; a judgement exercise with its variable set to None.
        assert re.match(r"def \w+\(|\w+ = None\n", cell.source), (
            f"{chapter}: answer cell {nbgrader_meta(cell)['grade_id']} starts with neither the signature nor "
            "`name = None` (a judgement answer)")


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_solutions_store_outputs_only_where_nbval_checks_them(chapter):
    source = read(ROOT / "solutions" / chapter / f"{chapter}.ipynb")
    checked = 0
    for cell in source.cells:
        if cell.cell_type != "code":
            continue
        if is_checked(cell):
            checked += 1
            assert cell.outputs, f"{chapter}: a checked cell has no stored output: run `make outputs`"
        else:
            assert not cell.outputs, f"{chapter}: an unchecked cell has stored outputs: run `make outputs`"
    assert checked, f"{chapter}: no cell's printed numbers are checked by nbval"
