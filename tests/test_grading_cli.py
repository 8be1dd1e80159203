"""The course tooling's command line: python -m source_helpers.grading ..."""

import subprocess
import sys

from conftest import ROOT


def run(*args):
    return subprocess.run([sys.executable, "-m", "source_helpers.grading", *args],
                          cwd=ROOT, capture_output=True, text=True)


def test_without_a_command_it_prints_usage_and_fails():
    result = run()
    assert result.returncode == 2 and "release" in result.stdout and "autograde" in result.stdout


def test_an_unknown_chapter_is_named_in_the_error():
    result = run("try", "99-nothing")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "error: unknown chapter(s) 99-nothing" in result.stderr and "00-setup" in result.stderr


def test_try_grades_blank_and_solution():
    result = run("try", "00-setup")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "blank    test_number_of_pixels            0/1" in result.stdout
    assert "solution test_number_of_pixels            1/1" in result.stdout
    assert "unexpected" not in result.stdout
