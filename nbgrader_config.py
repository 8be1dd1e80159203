"""nbgrader configuration of the course.

solutions/<chapter>/ is the instructor source (solutions and hidden tests),
notebooks/<chapter>/ the student release that `make release` regenerates.
"""

import os

c = get_config()  # noqa: F821 (provided by nbgrader when it loads this file)

c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.course_id = "cv-microscopy"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "notebooks"

# Grading a class: a looping answer is interrupted after this many seconds per
# cell and grading goes on; deleted test cells are put back from the source.
c.Execute.timeout = 60
c.OverwriteCells.add_missing_cells = True

# A test cell that prints anything to stderr scores 0. Test cells call student
# code through checks.call, which silences warnings; this is the second line
# of defence, for a warning printed any other way during autograding.
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = r"Warning:"
