"""The course website (`make site`): pages for every chapter, links that resolve, and no answer on it.

The site is built once per session into a temporary folder, clean (no cache), with the
command `make site` runs, and Sphinx's warnings collected in a file: each must match one of
ACCEPTED_WARNINGS (each with its reason), or the build fails. The chapter pages come from the
student release executed with the helper package (docs/_ext/course_site.py); the leak tests
check the outcome against solutions/ itself: no line of a model answer or hidden test that is
specific (at least MIN_LINE characters) and not also in the release appears in any file of the
site, and no chapter page holds nbgrader's markers.

The browser test (``-m browser``) opens the site over a local HTTP server in headless Chromium,
follows the home page's link to each chapter, and checks that every image loaded, that the
maths was typeset, that nothing outside the machine was asked for, and that the console shows no
error. It prints the paths of its screenshots of the home page and chapter 01.

A missing tool (Sphinx and its packages, Playwright, Chromium) skips with the reason; under
CI=true it fails instead.
"""

import functools
import html
import http.server
import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

from conftest import CHAPTERS, ROOT

# Sphinx warnings a good build may print, each with why it is accepted. None today: a new warning
# fails the build until it is fixed or added here with its reason.
ACCEPTED_WARNINGS = {
}
MIN_LINE = 25
MARKERS = ["### BEGIN SOLUTION", "### END SOLUTION", "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"]
# Files of the site whose text the leak test reads.
TEXT_SUFFIXES = {".html", ".js", ".txt", ".json", ".ipynb", ".inv", ".css"}
BUILD_TIMEOUT = 1800
# MathJax 2 (HTML-CSS output) probes the browser with a web font at about:blank, which Chromium
# refuses and logs; the maths is typeset all the same (the test checks it is).
MATHJAX_FONT_PROBE = "about:blank"


def unavailable(reason):
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must build and check the website, but {reason}")
    pytest.skip(reason)


def source(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def nbgrader(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


# --- The build ------------------------------------------------------------------------------------


def site_command(out, doctrees, warnings):
    """The command `make site` runs (see the Makefile), into ``out``, warnings to a file."""
    return [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-c", str(ROOT / "docs"), "-d", str(doctrees),
            "-w", str(warnings), str(ROOT), str(out)]


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    for module in ("sphinx", "myst_nb", "sphinx_book_theme", "jupyter_server_mathjax", "bs4"):
        try:
            __import__(module)
        except ImportError as error:
            unavailable(f"{module} is not installed ({error}); `make setup-dev` installs it from requirements-dev.txt")
    folder = tmp_path_factory.mktemp("site")
    out, warnings = folder / "html", folder / "warnings.txt"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    start = time.monotonic()
    result = subprocess.run(site_command(out, folder / "cache" / "doctrees", warnings), cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=BUILD_TIMEOUT)
    seconds = time.monotonic() - start
    assert result.returncode == 0, f"the site did not build:\n{result.stdout[-3000:]}\n{result.stderr[-5000:]}"
    print(f"\nthe site built in {seconds:.0f} s into {out}")
    return out, warnings.read_text()


def warning_lines(text):
    """Sphinx's warnings, one per entry (a warning's continuation lines are joined to it)."""
    entries = []
    for line in text.splitlines():
        if re.search(r"\b(WARNING|ERROR|CRITICAL)\b", line) or not entries:
            entries.append(line)
        else:
            entries[-1] += "\n" + line
    return [e for e in entries if e.strip()]


def pages(out):
    """The pages of the site (not the themes' template fragments copied into _static/)."""
    return sorted(p for p in out.rglob("*.html") if "_static" not in p.relative_to(out).parts)


def soup(path):
    from bs4 import BeautifulSoup
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def chapter_page(out, chapter):
    return out / "notebooks" / chapter / f"{chapter}.html"


# --- What must never be on it ---------------------------------------------------------------------


@functools.cache
def release_text():
    """Every cell of every chapter's release: what students get anyway."""
    return "\n".join(source(cell) for chapter in CHAPTERS
                     for cell in json.loads((ROOT / "notebooks" / chapter / f"{chapter}.ipynb").read_text())["cells"])


def secret_lines(chapter):
    """Specific lines of the model answers and hidden tests of ``chapter`` that no release has."""
    solution = json.loads((ROOT / "solutions" / chapter / f"{chapter}.ipynb").read_text())
    public = release_text()
    secrets = set()
    for cell in solution["cells"]:
        text = source(cell)
        blocks = re.findall(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", text, re.S)
        blocks += re.findall(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", text, re.S)
        if nbgrader(cell).get("solution") and cell["cell_type"] == "markdown":
            blocks.append(text)   # a written answer: the whole cell is the answer
        for block in blocks:
            secrets |= {line.strip() for line in block.splitlines()
                        if len(line.strip()) >= MIN_LINE and line.strip() not in public}
    return secrets


def page_text(path):
    """The text a reader (or a search engine) gets from a file of the site."""
    if path.suffix == ".html":
        return soup(path).get_text()
    return path.read_text(encoding="utf-8", errors="replace")


def leaks(texts, secrets):
    """``[(file, line)]`` for every secret line that appears in one of ``texts`` (``{file: text}``)."""
    return [(name, line) for name, text in texts.items() for line in sorted(secrets) if line in text]


@functools.cache
def all_secrets():
    return {chapter: secret_lines(chapter) for chapter in CHAPTERS}


# --- Tests ----------------------------------------------------------------------------------------


def test_the_build_has_only_accepted_warnings(site):
    _, warnings = site
    unexpected = [w for w in warning_lines(warnings) if not any(re.search(p, w) for p in ACCEPTED_WARNINGS)]
    assert not unexpected, "Sphinx warned (fix it, or accept it in ACCEPTED_WARNINGS with its reason):\n" + \
        "\n".join(unexpected)


def test_the_home_page_is_where_index_html_sends_the_reader(site):
    out, _ = site
    target = re.search(r'url=([^"]+)"', (out / "index.html").read_text()).group(1)
    assert (out / target).resolve() == (out / "docs" / "index.html").resolve()


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_chapter_has_its_page_with_figures_and_the_student_notebook(site, chapter):
    out, _ = site
    page = chapter_page(out, chapter)
    assert page.is_file(), f"no page for {chapter}"
    document = soup(page)
    downloads = [a["href"] for a in document.select("a[href]") if a["href"].endswith(f"/{chapter}.ipynb")]
    assert downloads, f"{chapter}'s page has no link to download the student notebook"
    release = ROOT / "notebooks" / chapter / f"{chapter}.ipynb"
    assert (page.parent / unquote(downloads[0])).read_bytes() == release.read_bytes(), \
        "the download is not the student release"
    release_cells = json.loads(release.read_text())["cells"]
    if any(re.search(r"\bplt\.|\bshow_images?\(|imshow\(", source(c)) for c in release_cells if c["cell_type"] == "code"):
        assert document.select("main img"), f"{chapter} draws figures but its page shows none"
    stubs = sum("raise NotImplementedError()" in source(c) for c in release_cells if nbgrader(c).get("solution"))
    assert page_text(page).count("raise NotImplementedError()") >= stubs, "an answer cell is not shown empty"
    errors = [o.get_text()[:200] for o in document.select(".cell_output .traceback, .cell_output .output.error")]
    assert not errors, f"{chapter}'s page shows errors: {errors}"


def test_the_home_page_lists_every_chapter_with_the_readme_numbers(site):
    out, _ = site
    home = soup(out / "docs" / "index.html")
    rows = {}
    for row in home.select("table tr"):
        cells = [c.get_text(strip=True) for c in row.select("td")]
        if cells and re.fullmatch(r"\d\d-[a-z0-9-]+", cells[0]):
            rows[cells[0]] = cells
            assert row.select_one("a[href]"), f"the home page's row of {cells[0]} has no link"
    assert sorted(rows) == CHAPTERS
    for line in (ROOT / "README.md").read_text().splitlines():
        match = re.match(r"\|\s*`(\d\d-[a-z0-9-]+)`\s*\|[^|]*\|\s*(\d+)\s*\|\s*(\d+)\s*\|([^|]*)\|", line)
        if match:
            chapter, exercises, points, minutes = match.groups()
            assert rows[chapter][2:5] == [exercises, points, minutes.strip()], f"{chapter} disagrees with README.md"
    text = home.get_text()
    assert "make lab" in text and "make test" in text


@pytest.mark.parametrize("name", ["docs/instructor-guide.html", "docs/writing-a-chapter.html", "data/README.html",
                                  "docs/licences.html"])
def test_the_guides_data_and_licences_have_pages(site, name):
    out, _ = site
    assert (out / name).is_file()


def test_every_internal_link_and_image_resolves_to_a_file(site):
    out, _ = site
    broken = []
    for page in pages(out):
        document = soup(page)
        for tag, attribute in [("a", "href"), ("img", "src"), ("link", "href"), ("script", "src"), ("source", "src")]:
            for element in document.select(f"{tag}[{attribute}]"):
                url = element[attribute]
                parts = urlsplit(url)
                if parts.scheme or parts.netloc or not parts.path:
                    continue     # another site (http:, mailto:), data:, or an anchor in the page
                target = (page.parent / unquote(parts.path)).resolve()
                if target.is_dir():
                    target = target / "index.html"
                if not target.is_file():
                    broken.append(f"{page.relative_to(out)}: <{tag} {attribute}={url!r}>")
    assert not broken, "links or images to missing files:\n" + "\n".join(broken)


def test_the_leak_check_finds_an_answer_where_there_is_one():
    from bs4 import BeautifulSoup
    secrets = all_secrets()
    assert sum(map(len, secrets.values())) > 50, "too few lines to check: is the solution marker format still the same?"
    line = sorted(next(s for s in secrets.values() if s))[0]
    # As Pygments highlights it: the line cut into spans.
    highlighted = f"<pre><span>{html.escape(line[:10])}</span><span>{html.escape(line[10:])}</span></pre>"
    assert leaks({"page": BeautifulSoup(highlighted, "html.parser").get_text()}, {line}) == [("page", line)]


def test_no_model_answer_or_hidden_test_appears_anywhere_on_the_site(site):
    out, _ = site
    secrets = set().union(*all_secrets().values())
    texts = {str(p.relative_to(out)): page_text(p) for p in out.rglob("*")
             if p.is_file() and p.suffix in TEXT_SUFFIXES and "mathjax" not in p.relative_to(out).parts}
    found = leaks(texts, secrets)
    assert not found, "answers or hidden tests on the site:\n" + "\n".join(f"{f}: {l}" for f, l in found[:30])


def test_no_page_holds_the_nbgrader_markers(site):
    out, _ = site
    for page in pages(out):
        document = soup(page)
        in_code_blocks = " ".join(pre.get_text() for pre in document.select("pre"))
        found = [m for m in MARKERS if m in in_code_blocks]
        assert not found, f"{page.relative_to(out)} shows {found} in its code"
        if page.is_relative_to(out / "notebooks"):
            found = [m for m in MARKERS + ["BEGIN HIDDEN", "HIDDEN TESTS"] if m in page.read_text()]
            assert not found, f"{page.relative_to(out)} holds {found}"


# --- In a browser ---------------------------------------------------------------------------------


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def served_site(site):
    out, _ = site
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(out)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.mark.browser
def test_a_reader_follows_the_home_page_to_every_chapter_in_a_browser(served_site, tmp_path_factory, capsys):
    from test_browser import CHROMIUM_FLAGS, VIEWPORT, find_chromium
    chromium = find_chromium()
    from playwright.sync_api import sync_playwright

    shots = tmp_path_factory.mktemp("site-screenshots")
    problems, outside, probes = [], [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS, headless=True)
        try:
            page = browser.new_page(viewport=VIEWPORT)
            page.on("console", lambda m: problems.append(f"console {m.type}: {m.text} ({page.url})")
                    if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(f"page error: {e} ({page.url})"))
            page.on("requestfailed", lambda r: probes.append(r.url) if r.url == MATHJAX_FONT_PROBE else None)

            def route(request_route):
                if request_route.request.url.startswith(served_site):
                    request_route.continue_()
                else:
                    outside.append(request_route.request.url)
                    request_route.abort()
            page.route("**/*", route)

            page.goto(served_site, wait_until="load")     # index.html sends the reader on to docs/index.html
            page.wait_for_url(re.compile(r"docs/index\.html"))
            page.wait_for_load_state("load")
            home = page.url
            page.screenshot(path=str(shots / "home.png"), full_page=True)
            links = page.eval_on_selector_all("main table a[href]", "as => as.map(a => [a.textContent.trim(), a.href])")
            chapters = {text: url for text, url in links if re.fullmatch(r"\d\d-[a-z0-9-]+", text)}
            assert sorted(chapters) == CHAPTERS, f"the home page's table links {sorted(chapters)}"
            for chapter in CHAPTERS:
                page.goto(home, wait_until="load")
                page.locator("main table").get_by_role("link", name=chapter, exact=True).click()
                page.wait_for_url(re.compile(re.escape(f"notebooks/{chapter}/{chapter}.html")))
                page.wait_for_load_state("load")
                page.wait_for_function("Array.from(document.images).every(i => i.complete)", timeout=30_000)
                images = page.eval_on_selector_all("img", "is => is.map(i => [i.getAttribute('src'), i.naturalWidth])")
                empty = [src for src, width in images if width == 0]
                assert not empty, f"{chapter}: images that did not load: {empty}"
                if page.locator("main .math").count():
                    page.wait_for_function("document.querySelectorAll('main .MathJax, main .MathJax_Display, "
                                           "main mjx-container').length > 0", timeout=30_000)
                if chapter == "01-image-arrays":
                    assert images, "chapter 01 shows no figure"
                    page.screenshot(path=str(shots / f"{chapter}.png"), full_page=False)
        finally:
            browser.close()
    with capsys.disabled():
        print(f"\nscreenshots of the website: {shots / 'home.png'} and {shots / '01-image-arrays.png'}")
    assert not outside, f"the pages asked for files outside the site: {sorted(set(outside))}"
    problems = [p for p in problems if MATHJAX_FONT_PROBE not in p]
    failed_loads = [p for p in problems if "Failed to load resource: net::ERR_FAILED" in p]
    if len(failed_loads) <= len(probes):      # each is the refused probe, whose URL the message leaves out
        problems = [p for p in problems if p not in failed_loads]
    assert not problems, "errors in the browser:\n" + "\n".join(problems)


def test_cleaning_leaves_no_output_that_asks_for_files_outside_the_site():
    sys.path.insert(0, str(ROOT / "docs" / "_ext"))
    try:
        import nbformat
        from course_site import clean
    finally:
        sys.path.pop(0)
    bar = nbformat.v4.new_output("display_data", data={
        "application/vnd.jupyter.widget-view+json": {"model_id": "abc", "version_major": 2, "version_minor": 0},
        "text/plain": "files: 100%|██████████| 6/6"})
    movie = nbformat.v4.new_output("display_data", data={"text/html": (
        '<link rel="stylesheet"\nhref="https://maxcdn.bootstrapcdn.com/font-awesome/4.4.0/css/font-awesome.min.css">\n'
        '<button><i class="fa fa-play"></i></button>')})
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# A chapter"),
                                               nbformat.v4.new_code_cell("run()", outputs=[bar, movie])])
    notebook.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {"abc": {}}}}
    cleaned = clean(notebook, "99-example")
    outputs = [cell for cell in cleaned.cells if cell.cell_type == "code"][0].outputs
    assert outputs[0].data == {"text/plain": "files: 100%|██████████| 6/6"}
    assert "https://" not in outputs[1].data["text/html"] and 'class="fa fa-play"' in outputs[1].data["text/html"]
    assert "widgets" not in cleaned.metadata
