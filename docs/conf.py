"""Sphinx configuration of the course website (``make site``).

Sphinx reads the repository's top folder (``sphinx-build -c docs . build/site``), but only
the pages listed in ``include_patterns``: this folder's site pages and instructor docs,
``data/README.md`` and the student release ``notebooks/NN-topic/NN-topic.ipynb``. Never
``solutions/``. The chapter pages are the release notebooks executed and cleaned by the
local extension ``docs/_ext/course_site.py`` (answers cannot reach the site: the release has
none, and the outputs of answer and test cells are removed); see that module.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "_ext"))

project = "Computer Vision for Microscopy"
author = "the course authors, after Matthias Függer and Thomas Nowak"
copyright = "2025, Matthias Függer, Thomas Nowak and the course authors (CC BY-NC-SA 4.0; code BSD 3-Clause)"

extensions = ["myst_nb", "course_site"]

root_doc = "docs/index"
include_patterns = [
    "docs/index.md",
    "docs/instructor-guide.md",
    "docs/writing-a-chapter.md",
    "docs/licences.md",
    "data/README.md",
    "notebooks/[0-9][0-9]-*/[0-9][0-9]-*.ipynb",
]
# Pruned before Sphinx looks for pages: it walks from the top folder.
exclude_patterns = [".venv", ".git", "build", "_site", "my-work", "solutions", "submitted", "autograded",
                    "feedback", "release", "exchange", "**/.ipynb_checkpoints"]

# The chapters arrive executed and cleaned (course_site); myst-nb only renders them.
nb_execution_mode = "off"
nb_output_stderr = "remove"
myst_enable_extensions = ["dollarmath", "colon_fence"]
myst_heading_anchors = 3

html_theme = "sphinx_book_theme"
html_title = project
html_copy_source = False
html_show_sourcelink = False
html_last_updated_fmt = None
html_theme_options = {
    "home_page_in_toc": True,
    "show_toc_level": 2,
    "use_download_button": False,
    "use_fullscreen_button": False,
    "use_repository_button": False,
    "navigation_with_keys": False,
}

# MathJax 2 from the jupyter-server-mathjax package, copied into _static/mathjax by course_site:
# the pages typeset maths without the network (and show the TeX source if it fails to load).
mathjax_path = "mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full"
# That package ships the STIX-Web fonts only (as classic Jupyter Notebook configured it). myst-nb
# marks a notebook page tex2jax_ignore and its maths with these classes (it configures MathJax 3 only).
mathjax2_config = {"tex2jax": {"inlineMath": [["\\(", "\\)"]], "displayMath": [["\\[", "\\]"]],
                               "processClass": "tex2jax_process|mathjax_process|math|output_area"},
                   "HTML-CSS": {"availableFonts": [], "preferredFont": None, "webFont": "STIX-Web", "imageFont": None},
                   "showMathMenu": False, "messageStyle": "none"}
# Without it pydata-sphinx-theme logs "Got invalid theme mode" as a console error on a first visit.
html_context = {"default_mode": "light"}
# An icon of the site's own, so that browsers do not ask for a /favicon.ico that is not there.
html_static_path = ["_static"]
html_favicon = "_static/favicon.svg"
