"""The course website's Sphinx extension: chapter pages from the student release, answers kept out.

Each chapter page is the student release ``notebooks/NN-topic/NN-topic.ipynb``, the very
notebook students download, executed with the course's helper package (this checkout's, on
the kernel's ``PYTHONPATH``) so that its figures are there, then cleaned:

- answer cells keep their source (the empty stub, as in the release) and lose their outputs;
- test cells keep their (visible) source, folded, and lose their outputs;
- every other cell loses its error outputs: a teaching cell that uses an unanswered exercise
  fails (``NotImplementedError``, a value still ``None``) and shows nothing of the failure.

Why the release and not the executed solutions: the release holds no model answer, no hidden
test and no judgement key by construction (nbgrader makes it, ``tests/test_release.py`` checks
it is current), so no cleaning rule has to find them; a page can show only what a student sees
running the blank notebook. Executing the solutions and blanking outputs would have to know
every cell whose output depends on an answer, and one rule missed is an answer published.
The price: a teaching cell that draws with a student's function has no figure on the site.

The executed, cleaned notebooks are cached beside the doctrees (``<doctrees>/../notebooks``),
keyed by the release notebook, the helper package, ``data/``, the pins and this module, so a
rebuild executes nothing unless one of those changed, and a changed helper package is never
served from a stale cache (myst-nb's jupyter-cache keys on the code cells alone). Chapters are
found, not listed: the folders of ``solutions/`` (``source_helpers.grading.course.chapters``),
each of which must have its release.

The home page (``docs/index.md``) gets the course summary and the chapter table (time and
points) from README.md, so the two never disagree.
"""

import hashlib
import json
import os
import re
import shutil
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from sphinx.util import logging

logger = logging.getLogger(__name__)

CHAPTER_DOC = re.compile(r"^notebooks/(\d\d-[a-z0-9-]+)/\1$")
CELL_TIMEOUT = 900          # seconds for one cell; chapters 06 and 07 take a minute or two in all
HOME_INTRO = "<!-- course-intro -->"
HOME_TABLE = "<!-- chapter-table -->"
# Rows of README's chapter table: | `NN-topic` | topic | exercises | points | time |
README_ROW = re.compile(r"^\|\s*`(\d\d-[a-z0-9-]+)`\s*\|([^|]*)\|\s*(\d+)\s*\|\s*(\d+)\s*\|([^|]*)\|\s*$")
# MathJax 2 from the jupyter-server-mathjax package, without its translations (English is built in).
MATHJAX_SKIP = ("localization",)


def nbgrader(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


def is_answer(cell):
    return cell.cell_type == "code" and bool(nbgrader(cell).get("solution"))


def is_test(cell):
    return cell.cell_type == "code" and bool(nbgrader(cell).get("grade")) and not nbgrader(cell).get("solution")


def release_path(root, chapter):
    return Path(root) / "notebooks" / chapter / f"{chapter}.ipynb"


def course_chapters(root):
    """The chapters (folders of solutions/), each with its release notebook."""
    sys.path.insert(0, str(root))
    try:
        from source_helpers.grading.course import chapters
    finally:
        sys.path.pop(0)
    names = chapters(root)
    missing = [n for n in names if not release_path(root, n).is_file()]
    if missing:
        raise FileNotFoundError(f"no student release for chapter(s) {', '.join(missing)}: run `make release`")
    return names


def _hash_files(digest, root, paths):
    for path in sorted(paths):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")


def cache_key(root, chapter):
    """What an executed chapter depends on: its release, the helpers, the data, the pins, this cleaning."""
    root = Path(root)
    digest = hashlib.sha256(sys.version.encode())
    helpers = [p for p in (root / "source_helpers").rglob("*.py") if "__pycache__" not in p.parts]
    data = [p for p in (root / "data").iterdir() if p.is_file()]
    _hash_files(digest, root, [release_path(root, chapter), root / "constraints.txt", *helpers, *data])
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()[:20]


def execute(root, chapter):
    """The release notebook run top to bottom in a fresh kernel, errors allowed (the exercises are blank)."""
    path = release_path(root, chapter)
    notebook = nbformat.read(path, as_version=4)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(root), *filter(None, [env.get("PYTHONPATH")])])
    env["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    client = NotebookClient(notebook, timeout=CELL_TIMEOUT, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute(env=env)
    return notebook


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
# matplotlib's animation player links Font Awesome 4 from a CDN for its button icons; the site's theme
# already loads Font Awesome (pydata-sphinx-theme), which draws the same `fa fa-play`... icons offline.
CDN_FONT_AWESOME = re.compile(r'<link[^>]*href="https://maxcdn\.bootstrapcdn\.com/font-awesome/[^"]*"[^>]*>\s*')


def offline(output):
    """An output that needs nothing from outside the site: a widget as its text, no CDN stylesheet."""
    data = output.get("data", {})
    if WIDGET_VIEW in data:
        output.data = {"text/plain": data.get("text/plain", "")}
    elif "text/html" in data:
        output.data["text/html"] = CDN_FONT_AWESOME.sub("", data["text/html"])
    return output


def clean(notebook, chapter):
    """Remove the outputs of answer and test cells and every error output; add the download link."""
    errors = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        if is_answer(cell) or is_test(cell):
            cell.outputs = []
            if is_test(cell):
                cell.metadata.setdefault("tags", []).append("hide-input")
        else:
            failed = [o for o in cell.outputs if o.output_type == "error"]
            errors += [(index, o.ename, o.evalue) for o in failed]
            cell.outputs = [offline(o) for o in cell.outputs if o.output_type != "error"]
        cell.execution_count = None
    # Widget state (a tqdm progress bar) would make myst-nb load ipywidgets' JavaScript from a CDN.
    notebook.metadata.pop("widgets", None)
    first_heading = next(i for i, c in enumerate(notebook.cells) if c.cell_type == "markdown")
    notebook.cells.insert(first_heading + 1, nbformat.v4.new_markdown_cell(
        f"{{download}}`Download the student notebook <{chapter}.ipynb>` (`notebooks/{chapter}/{chapter}.ipynb`) "
        "and work in it in JupyterLab (`make lab` copies it into your `my-work/` folder). On this page, as in "
        "that notebook, the exercises' answer cells are empty; their tests (folded here) run in JupyterLab, "
        "and a cell that uses an unanswered exercise shows no output."))
    notebook.metadata["course_site"] = {"errors": [list(e) for e in errors]}
    return notebook


def before_any_answer(notebook, error):
    """Whether an error comes before the first answer cell, so that no unanswered exercise can cause it.

    After it, a cell that uses an exercise fails (``NotImplementedError``, a value still ``None``),
    and so do the cells that use what that cell would have made (a ``NameError``). Whether they run
    once answered is checked by the tests (nbval runs every solution notebook).
    """
    answers = [i for i, c in enumerate(notebook["cells"]) if is_answer(nbformat.from_dict(c))]
    return not answers or error[0] < answers[0]


def executed_chapter(root, cache, chapter):
    """The cleaned notebook of ``chapter`` (as a dict), from the cache or executed now, and its key."""
    key = cache_key(root, chapter)
    cached = cache / f"{chapter}-{key}.ipynb"
    if not cached.is_file():
        start = time.monotonic()
        notebook = clean(execute(root, chapter), chapter)
        cache.mkdir(parents=True, exist_ok=True)
        for stale in cache.glob(f"{chapter}-*.ipynb"):
            stale.unlink()
        temporary = cached.with_suffix(".tmp")
        nbformat.write(notebook, temporary)
        temporary.replace(cached)
        logger.info(f"course_site: executed {chapter} in {time.monotonic() - start:.0f} s")
    return json.loads(cached.read_text()), key


# --- Sphinx events ---------------------------------------------------------------------------------


def prepare_chapters(app):
    root = Path(app.srcdir)
    cache = Path(app.doctreedir).parent / "notebooks"
    names = course_chapters(root)
    with ThreadPoolExecutor(max_workers=app.config.course_site_workers) as pool:
        results = dict(zip(names, pool.map(lambda name: executed_chapter(root, cache, name), names)))
    app.course_site_pages = {name: notebook for name, (notebook, _) in results.items()}
    app.course_site_new_keys = {name: key for name, (_, key) in results.items()}
    for name, (notebook, _) in results.items():
        for index, ename, evalue in notebook["metadata"]["course_site"]["errors"]:
            if before_any_answer(notebook, (index, ename, evalue)):
                logger.warning(f"{name}, cell {index}: {ename}: {evalue} (before any exercise)",
                               type="course_site", subtype="cell_error")


def outdated_chapters(app, env, added, changed, removed):
    """Chapters whose executed notebook changed although the release file did not (a new helper, say)."""
    old = getattr(env, "course_site_keys", {})
    return [f"notebooks/{name}/{name}" for name, key in app.course_site_new_keys.items()
            if old.get(name) != key and f"notebooks/{name}/{name}" not in added | changed]


def readme_parts(root):
    """README.md's summary paragraph and its chapter table rows ``{chapter: (topic, exercises, points, time)}``."""
    text = (Path(root) / "README.md").read_text()
    intro = text.split("\n\n")[1].strip()
    rows = {}
    for line in text.splitlines():
        match = README_ROW.match(line)
        if match:
            chapter, topic, exercises, points, minutes = match.groups()
            rows[chapter] = (topic.strip(), int(exercises), int(points), minutes.strip())
    return intro, rows


def home_table(root, chapters):
    _, rows = readme_parts(root)
    lines = ["| Chapter | Topic | Exercises | Points | Estimated time |", "|---|---|---|---|---|"]
    for chapter in chapters:
        if chapter not in rows:
            logger.warning(f"chapter {chapter} has no row in README.md's chapter table", type="course_site")
            continue
        topic, exercises, points, minutes = rows[chapter]
        lines.append(f"| [{chapter}](../notebooks/{chapter}/{chapter}.ipynb) | {topic} | {exercises} | {points} | {minutes} |")
    total_points = sum(rows[c][2] for c in chapters if c in rows)
    total_minutes = sum(int(re.match(r"\d+", rows[c][3]).group()) for c in chapters if c in rows)
    lines.append(f"| **all** | | {sum(rows[c][1] for c in chapters if c in rows)} | {total_points} "
                 f"| {total_minutes // 60} h {total_minutes % 60} min |")
    return "\n".join(lines)


def fill_page(app, docname, source):
    root = Path(app.srcdir)
    match = CHAPTER_DOC.match(docname)
    if match and match.group(1) in app.course_site_pages:
        name = match.group(1)
        source[0] = json.dumps(app.course_site_pages[name])
        app.env.course_site_keys = {**getattr(app.env, "course_site_keys", {}), name: app.course_site_new_keys[name]}
    elif docname == app.config.root_doc:
        app.env.note_dependency(str(root / "README.md"))
        intro, _ = readme_parts(root)
        source[0] = source[0].replace(HOME_INTRO, intro).replace(
            HOME_TABLE, home_table(root, sorted(app.course_site_pages)))


def finish(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    import jupyter_server_mathjax
    mathjax = Path(jupyter_server_mathjax.__file__).parent / "static"
    target = Path(app.outdir) / "_static" / "mathjax"
    if not (target / "MathJax.js").is_file():
        shutil.copytree(mathjax, target, ignore=lambda folder, names: [n for n in names if n in MATHJAX_SKIP],
                        dirs_exist_ok=True)
    home = app.builder.get_target_uri(app.config.root_doc)
    (Path(app.outdir) / "index.html").write_text(
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{app.config.project}</title>\n'
        f'<meta http-equiv="refresh" content="0; url={home}"></head>\n'
        f'<body><p><a href="{home}">{app.config.project}</a></p></body></html>\n')


def setup(app):
    app.add_config_value("course_site_workers", 2, "env")
    app.connect("builder-inited", prepare_chapters)
    app.connect("env-get-outdated", outdated_chapters)
    app.connect("source-read", fill_page)
    app.connect("build-finished", finish)
    return {"version": "1", "parallel_read_safe": False, "parallel_write_safe": True}
