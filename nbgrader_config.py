"""nbgrader configuration of the course.

solutions/<chapter>/ is the instructor source (solutions and hidden tests),
notebooks/<chapter>/ the student release that `make release` regenerates.
Autograding runs each student's code in a sandbox and the tests in the
grader's own process (source_helpers/grading/contained.py).
"""

import os

from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    ClearHiddenTests,
    ClearOutput,
    DeduplicateIds,
    GetGrades,
    LimitOutput,
    OverwriteCells,
    OverwriteKernelspec,
    SaveAutoGrades,
)

from source_helpers.grading.preprocessors import ContainedExecute, NormalizeSubmission

c = get_config()  # noqa: F821 (provided by nbgrader when it loads this file)

c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.course_id = "cv-microscopy"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "notebooks"
# What a chapter writes next to its notebook when it runs (chapter 09's output/) is not course material:
# it is never copied into the release, a submission or feedback.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "output"]

# Grading: the student's cells run in a sandbox (no network, no course files,
# limited memory and time), the test cells in nbgrader's own process, so
# nothing the student's code does can change how it is checked.
c.Autograde.sanitize_preprocessors = [
    NormalizeSubmission, ClearOutput, DeduplicateIds, OverwriteKernelspec, OverwriteCells, CheckCellMetadata,
]
c.Autograde.autograde_preprocessors = [
    ContainedExecute, ClearMetadataPreprocessor, LimitOutput, SaveAutoGrades, AssignLatePenalties,
    CheckCellMetadata,
]
c.ContainedExecute.cell_timeout = 30        # seconds per cell (all calls of one test cell)
c.ContainedExecute.notebook_timeout = 300   # seconds per notebook
c.ContainedExecute.memory_mb = 4096         # memory of the student's process
# Without bubblewrap grading is refused. Only where it cannot run, and knowing that the students'
# code then reads the course (solutions/ too), the gradebook and the network:
# c.ContainedExecute.unsafe_no_containment = True
# Deleted test cells are put back from the source.
c.OverwriteCells.add_missing_cells = True

# Feedback shows the messages of hidden tests, never their code.
c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, CSSHTMLHeaderPreprocessor]

# Students validating in JupyterLab run everything in their own kernel, as usual.
c.Execute.timeout = 60

# Due dates and extensions come from due-dates.csv and extensions.csv (source_helpers/grading/deadlines.py).
# What late work costs: "none", "per_day" (per_day_percent of the score per day started; 0 after
# cutoff_days if > 0) or "zero_after" (0 after cutoff_days days late).
c.AssignLatePenalties.plugin_class = "source_helpers.grading.deadlines.CourseLatePolicy"
c.CourseLatePolicy.policy = "none"
c.CourseLatePolicy.per_day_percent = 10.0
c.CourseLatePolicy.cutoff_days = 0.0

# `nbgrader export` adds each submission's grading status and flags to grades.csv.
c.ExportApp.plugin_class = "source_helpers.grading.export.CourseCsvExport"
