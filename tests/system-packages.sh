#!/bin/sh
# The system programs some tests need, from Debian's packages:
#   bwrap (bubblewrap)  the sandbox that contains students' code while it is graded
#   pg_ctl (postgresql) the PostgreSQL gradebook test
#   chromium            the browser of the JupyterLab test (tests/test_browser.py)
# Run by `make test`. As root with apt-get (a CI machine, a container) it installs
# what is missing; otherwise it says what is missing, and those tests skip
# (under CI=true they fail instead).
missing=""
command -v bwrap >/dev/null 2>&1 || missing="$missing bubblewrap"
ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || missing="$missing postgresql"
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian packages for the tests:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing >/dev/null && exit 0
    echo "could not install:$missing" >&2
fi
echo "missing for some tests (install with your package manager):$missing" >&2
exit 0
