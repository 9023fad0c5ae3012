"""The HTML report: executed notebooks rendered without code, in IOM's order, numbered and cross-linked.

nbconvert renders each executed notebook; this module joins them in file-name order and builds the report
IOM sends: the cover (DRAFT/FINAL mark, synthetic-data notice), the front matter (cells tagged
`front-matter`: the IOM disclaimer), the contents, the abbreviations (the glossary entries the text uses),
the chapters (a notebook whose metadata says `"report": {"numbered": false}` — the executive summary —
is a chapter without a number), the annexes (cells tagged `annex`, then Reproducibility), the References
(sources cited) and, last, the translations (a notebook whose metadata says `"report": {"language": "ru"}`),
which also become documents of their own.

Numbers, cross-references, citations and the wording of sources are settled here, on the whole document.
"""

from __future__ import annotations

import copy
import html
import platform
import subprocess
import threading
from dataclasses import dataclass
from importlib import metadata as importlib_metadata
from pathlib import Path

import nbformat
from bs4 import BeautifulSoup, Tag
from nbconvert import HTMLExporter

from analysis.engine import config, glossary, languages, paths, provenance, text
from analysis.engine.assemble import citations, cleanup, crossrefs
from analysis.engine.assemble.common import CSS_FILE, build_date, tagged, text_nodes, words
from analysis.engine.runner import RunError, discover

DROP_TAGS = {"parameters", "injected-parameters", "remove"}
FRONT_TAG = "front-matter"
REPORT_MIME = {"text/html", "text/markdown", "image/png", "image/svg+xml"}
KEY_PACKAGES = [
    "pandas",
    "numpy",
    "matplotlib",
    "seaborn",
    "openpyxl",
    "papermill",
    "nbconvert",
    "nbclient",
    "pypandoc-binary",
    "typst",
    "python-docx",
    "lifelines",
    "krippendorff",
    "holidays",
]


def executed_paths(stage: str) -> list[Path]:
    """The executed notebooks of the stage whose source notebook still exists (a renamed or removed
    notebook leaves its last run behind, which must not reach the report)."""
    folder = paths.resolve(f"reports/{stage}/notebooks")
    sources = {spec.name for spec in discover()}
    found = sorted(p for p in folder.glob("[0-9][0-9]_*.ipynb") if p.stem in sources)
    if not found:
        raise RunError(f"no executed notebooks in {paths.relative(folder)}: run `make notebooks STAGE={stage}`")
    return found


def executed_notebooks(stage: str) -> list[tuple[str, nbformat.NotebookNode]]:
    return [(p.stem, nbformat.read(p, as_version=4)) for p in executed_paths(stage)]


def report_settings(nb: nbformat.NotebookNode) -> dict:
    """The notebook's place in the report (notebook metadata "report"): numbered, language."""
    settings = dict(nb.metadata.get("report", {}))
    return {"numbered": settings.get("numbered", True), "language": settings.get("language", "en")}


def shown_outputs(outputs: list) -> list:
    """The outputs a reader sees: tables, figures, Markdown. A bare value's repr (a recorded number echoed
    by the last line of a cell) and printed text are machinery, never report content."""
    return [
        o
        for o in outputs
        if o.get("output_type") in ("display_data", "execute_result") and set(o.get("data", {})) & REPORT_MIME
    ]


def split_cells(nb: nbformat.NotebookNode) -> tuple[nbformat.NotebookNode, nbformat.NotebookNode]:
    """The report body and the annex part of one notebook, without parameters, code-only cells, debug
    output or the front matter (see `front_cells`)."""
    body, annex = copy.deepcopy(nb), copy.deepcopy(nb)
    body.cells, annex.cells = [], []
    for cell in copy.deepcopy(nb.cells):
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & DROP_TAGS or FRONT_TAG in tags:
            continue
        if cell.cell_type == "code":
            cell.outputs = shown_outputs(cell.get("outputs", []))
            if not cell.outputs:
                continue
        (annex if "annex" in tags else body).cells.append(cell)
    return body, annex


def front_cells(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The notebook's cells tagged `front-matter` (the disclaimer), which go before the contents."""
    front = copy.deepcopy(nb)
    front.cells = [c for c in nb.cells if FRONT_TAG in c.get("metadata", {}).get("tags", [])]
    return front


_exporters = threading.local()


def _exporter() -> HTMLExporter:
    """One exporter per thread, kept: a new one loads and compiles its templates again, which took three
    times as long as rendering a chapter's part with it (an exporter is not made to be shared by threads)."""
    if not hasattr(_exporters, "exporter"):
        _exporters.exporter = HTMLExporter(
            template_name="basic",
            exclude_input=True,
            exclude_input_prompt=True,
            exclude_output_prompt=True,
            exclude_anchor_links=True,
        )
    return _exporters.exporter


def render(nb: nbformat.NotebookNode) -> str:
    if not nb.cells:
        return ""
    body, _ = _exporter().from_notebook_node(nb)
    return body


# ---------------------------------------------------------------- numbering and structure
def _letters(n: int) -> str:
    return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[n - 1] if n <= 26 else f"Z{n}"


@dataclass
class Numbering:
    """What numbering the document gives: the contents and the targets of cross-references."""

    toc: list[tuple[int, str, str, str]]
    targets: dict[str, crossrefs.Target]
    annex_letters: set[str]


def _caption_anchor(element: Tag, anchor: str, soup: BeautifulSoup) -> None:
    """An empty span carries the anchor: pandoc keeps span ids (Word bookmarks), not paragraph ids."""
    element.insert(0, soup.new_tag("span", id=anchor))


def number_document(soup: BeautifulSoup, language: str = "en") -> Numbering:
    """Number headings, figures and tables in place: chapters 1, 2 … (a chapter marked unnumbered keeps
    its title and numbers its tables 1, 2 …), annexes A, B …; collect the contents and the labels."""
    vocabulary = words(language)
    toc: list[tuple[int, str, str, str]] = []
    targets: dict[str, crossrefs.Target] = {}
    letters: set[str] = set()
    for part_id, lettered in (("report-body", False), ("report-annexes", True)):
        part = soup.find(id=part_id)
        if part is None:
            continue
        chapter = 0
        chapter_label = ""
        counters = [0, 0]
        figure = table = 0
        unnumbered_seen = 0
        for element in part.find_all(["h1", "h2", "h3", "figcaption", "p"]):
            classes = element.get("class") or []
            in_unnumbered = element.find_parent(class_="unnumbered-chapter") is not None
            if element.name in ("h1", "h2", "h3"):
                label = crossrefs.take_label(element)
                title = element.get_text(" ", strip=True)
                level = int(element.name[1])
                if "unnumbered" in classes and not in_unnumbered:
                    continue  # a part title ("Annexes"), not a chapter
                if in_unnumbered:
                    if level == 1:
                        unnumbered_seen += 1
                        figure = table = 0
                        counters = [0, 0]
                        chapter_label = ""
                        anchor = f"front-{unnumbered_seen}"
                        element["id"] = anchor
                        element["class"] = [*classes, "unnumbered"] if "unnumbered" not in classes else classes
                        toc.append((1, anchor, "", title))
                    else:
                        counters[0] += 1
                        anchor = f"front-{unnumbered_seen}-{counters[0]}"
                        element["id"] = anchor
                    if level == 1:
                        _notebook_target(targets, element, "sec", crossrefs.Target(anchor, title))
                    if label:
                        targets[label] = crossrefs.Target(anchor, title)
                    continue
                if level == 1:
                    chapter += 1
                    counters = [0, 0]
                    figure = table = 0
                    chapter_label = _letters(chapter) if lettered else str(chapter)
                    number = chapter_label
                elif level == 2:
                    counters = [counters[0] + 1, 0]
                    number = f"{chapter_label}.{counters[0]}"
                else:
                    counters[1] += 1
                    number = f"{chapter_label}.{counters[0]}.{counters[1]}"
                anchor = ("annex-" if lettered else "sec-") + number.replace(".", "-")
                element["id"] = anchor
                if lettered and level == 1:
                    prefix = f"{vocabulary['annex']} {number}"
                    letters.add(number)
                    element.clear()
                    element.append(f"{prefix}: {title}")
                    reference = prefix
                else:
                    prefix = number
                    element.clear()
                    element.append(f"{prefix} {title}")
                    reference = (
                        f"{vocabulary['chapter']} {number}" if level == 1 else f"{vocabulary['section']} {number}"
                    )
                toc.append((level, anchor, prefix, title))
                if level == 1:
                    _notebook_target(
                        targets, element, "annex" if lettered else "sec", crossrefs.Target(anchor, reference)
                    )
                if label:
                    targets[label] = crossrefs.Target(anchor, reference)
            elif "caption" in classes:
                strong = element.find("strong")
                if strong is None:
                    continue
                label = crossrefs.take_label(element) or _data_label(element)
                chap = "" if in_unnumbered or not chapter_label else f"{chapter_label}."
                if "figure-caption" in classes:
                    figure += 1
                    number, kind, prefix = f"{chap}{figure}", "figure", "fig"
                elif "table-caption" in classes:
                    table += 1
                    number, kind, prefix = f"{chap}{table}", "table", "tbl"
                else:
                    continue
                name = f"{vocabulary[kind]} {number}"
                strong.string = f"{name}."
                anchor = (
                    f"{prefix}-{number.replace('.', '-')}" if chap else f"{prefix}-front-{unnumbered_seen}-{number}"
                )
                _caption_anchor(element, anchor, soup)
                if label:
                    targets[label if ":" in label else f"{prefix}:{label}"] = crossrefs.Target(anchor, name)
    return Numbering(toc=toc, targets=targets, annex_letters=letters)


def _notebook_target(targets: dict[str, crossrefs.Target], heading: Tag, kind: str, target: crossrefs.Target) -> None:
    """Every notebook's first chapter (and first annex) can be referred to by the notebook's name,
    `[@sec:40_processing_times]`, `[@annex:10_legal_framework]`, without a label in its heading."""
    part = heading.find_parent(attrs={"data-notebook": True})
    if part is not None:
        targets.setdefault(f"{kind}:{part['data-notebook']}", target)


def _data_label(element: Tag) -> str | None:
    return element.get("data-label")


def toc_html(toc: list[tuple[int, str, str, str]], language: str = "en") -> str:
    items = [
        f'<li class="toc-l{level}"><a href="#{anchor}">{html.escape(number)} {html.escape(title)}</a></li>'
        for level, anchor, number, title in toc
        if level <= 2
    ]
    return (
        f'<nav class="toc"><h2 class="unnumbered">{html.escape(words(language)["contents"])}</h2><ul>'
        + "".join(items)
        + "</ul></nav>"
    )


# ---------------------------------------------------------------- cover and annexes
def synthetic_notice(language: str = "en") -> str | None:
    """The cover's notice while any input is synthetic, naming the inputs in words."""
    synthetic = provenance.synthetic_inputs()
    if not synthetic:
        return None
    labels = sorted({provenance.label(name, language) for name in synthetic})
    terms = corridor_terms(language)
    return words(language)["synthetic_notice"].format(inputs=", ".join(labels), **terms)


def corridor_terms(language: str) -> dict[str, str]:
    """The destination's name as the assembly's sentences need it, in the report's language."""
    if language == "en":
        name = config.get("corridor.destination.name")
        return {"destination": name, "destination_loc": f"in {name}"}
    terms = config.get(f"translations.{language}.terms")
    return {"destination": terms["destination"], "destination_loc": terms["destination_loc"]}


def _cover_settings(language: str) -> dict:
    if language == "en":
        return config.get("report")
    return {**config.get("report"), **config.get(f"translations.{language}.report")}


def title_page(stage: str, version: str, language: str = "en") -> tuple[str, list[str]]:
    rep = _cover_settings(language)
    vocabulary = words(language)
    notices = [vocabulary["stage_marks"][stage]]
    synthetic = synthetic_notice(language)
    if synthetic:
        notices.append(synthetic)
    as_of = config.run_setting("as_of")
    date_of = text.house_date if language == "en" else (lambda d: languages.house_date(d, language))
    rows = [
        (vocabulary["prepared_for"], rep["commissioned_by"]),
        (vocabulary["prepared_by"], rep["author"]),
        (vocabulary["status"], vocabulary["stage"][stage]),
        (vocabulary["version"], version),
        (vocabulary["date"], date_of(build_date())),
        (vocabulary["rules_as_of"], date_of(as_of)),
    ]
    meta = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>" for k, v in rows)
    boxes = "".join(
        f'<div class="notice notice-{"synthetic" if i else "stage"}"><p>{html.escape(n)}</p></div>'
        for i, n in enumerate(notices)
    )
    page = (
        f'<section class="title-page"><p class="doc-title">{html.escape(rep["title"])}</p>'
        f'<p class="doc-subtitle">{html.escape(rep.get("subtitle", ""))}</p>{boxes}'
        f'<table class="title-meta">{meta}</table></section>'
    )
    return page, notices


def _git(*args: str) -> str:
    try:
        return subprocess.run(
            ["git", *args], cwd=paths.input_root(), capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def reproducibility_annex(stage: str, inputs: dict[str, str]) -> str:
    commit = _git("rev-parse", "HEAD") or "not a git checkout"
    dirty = _git("status", "--porcelain", "--untracked-files=no", "--", "src", "notebooks", "data/raw", "config")
    versions = []
    for name in KEY_PACKAGES:
        try:
            versions.append((name, importlib_metadata.version(name)))
        except importlib_metadata.PackageNotFoundError:
            continue
    rows_inputs = "".join(
        f"<tr><td>{html.escape(p)}</td><td><code>{h[:16]}</code></td></tr>"
        for p, h in sorted(inputs.items())
        if p.startswith(("data/", "config/"))
    )
    rows_versions = "".join(f"<tr><td>{html.escape(n)}</td><td>{html.escape(v)}</td></tr>" for n, v in versions)
    status = " (with uncommitted changes to inputs or code)" if dirty else ""
    return f"""
<h1>Reproducibility</h1>
<p>Every number in this report is computed by the notebooks in <code>notebooks/</code> from the files
below and recorded with its source rows in <code>reports/{stage}/numbers.json</code>. To check this
report, clone the repository at the commit below and run <code>make verify</code>; it reruns every
notebook from <code>data/raw/</code> in a scratch folder and compares each finding and each notebook
output and paragraph with the published ones.</p>
<table class="data-table"><tr><th>Item</th><th>Value</th></tr>
<tr><td>Code commit</td><td><code>{html.escape(commit)}</code>{html.escape(status)}</td></tr>
<tr><td>Stage</td><td>{html.escape(stage)}</td></tr>
<tr><td>Python</td><td>{html.escape(platform.python_version())}</td></tr></table>
<p class="caption table-caption"><strong>Table:</strong> Input files and their SHA-256 hashes (first 16 hex digits; the full
hashes are in the manifest of the report).</p>
<table class="data-table"><tr><th>Input file</th><th>SHA-256</th></tr>{rows_inputs}</table>
<p class="caption table-caption"><strong>Table:</strong> Versions of the main packages (all pins in the lock file of the repository).</p>
<table class="data-table"><tr><th>Package</th><th>Version</th></tr>{rows_versions}</table>
"""


def abbreviations_html(used: list[glossary.Entry], language: str = "en") -> str:
    """The list of abbreviations and acronyms the document uses, from the glossary."""
    vocabulary = words(language)
    if not used:
        return ""
    rows = "".join(
        f"<tr><td>{html.escape(e.abbreviation)}</td><td>{html.escape(e.meaning(language))}</td></tr>" for e in used
    )
    return (
        f'<section class="abbreviations"><h1 class="unnumbered">{html.escape(vocabulary["abbreviations"])}</h1>'
        f'<table class="data-table abbreviation-table"><tr><th>{html.escape(vocabulary["abbreviation"])}</th>'
        f"<th>{html.escape(vocabulary['meaning'])}</th></tr>{rows}</table></section>"
    )


# ---------------------------------------------------------------- the HTML document
@dataclass
class Parts:
    front: list[str]
    body: list[str]
    annexes: list[str]
    translations: dict[str, list[str]]


def chapter_html(name: str, nb: nbformat.NotebookNode) -> dict:
    """One executed notebook's pieces of the report, rendered: its settings, front matter, chapter and annex.
    They depend on nothing but the notebook (and the engine's code), so the build keeps them, as JSON, until
    the notebook changes (analysis.engine.assemble)."""
    settings = report_settings(nb)
    body, annex = split_cells(nb)
    front = front_cells(nb)
    classes = "chapter" if settings["numbered"] else "chapter unnumbered-chapter"
    return {
        "settings": settings,
        "front": f'<div class="front-matter" data-notebook="{name}">{render(front)}</div>' if front.cells else "",
        "chapter": f'<div class="{classes}" data-notebook="{name}" lang="{settings["language"]}">{render(body)}</div>',
        "annex": f'<div class="annex" data-notebook="{name}">{render(annex)}</div>' if annex.cells else "",
    }


def collect_parts(stage: str, inputs: dict[str, str], chapters: list[dict] | None = None) -> Parts:
    """The report's pieces in order, from every notebook's `chapter_html` (rendered here unless `chapters`
    gives them). The annexes of an unnumbered chapter (the summary's key numbers) follow the chapters'
    annexes, so that the chapters' annexes keep their letters (the inventory is Annex A)."""
    if chapters is None:
        chapters = [chapter_html(name, nb) for name, nb in executed_notebooks(stage)]
    parts = Parts(front=[], body=[], annexes=[], translations={})
    late_annexes = []
    for piece in chapters:
        settings = piece["settings"]
        if settings["language"] != "en":
            translation = parts.translations.setdefault(settings["language"], [])
            if piece["front"]:
                translation.append(piece["front"])
            translation.append(piece["chapter"])
            continue
        if piece["front"]:
            parts.front.append(piece["front"])
        parts.body.append(piece["chapter"])
        if piece["annex"]:
            (parts.annexes if settings["numbered"] else late_annexes).append(piece["annex"])
    parts.annexes.extend(late_annexes)
    parts.annexes.append(
        f'<div class="annex" data-notebook="reproducibility">{reproducibility_annex(stage, inputs)}</div>'
    )
    return parts


def build_html(
    stage: str, version: str, inputs: dict[str, str], chapters: list[dict] | None = None
) -> tuple[str, list[str]]:
    soup, notices = build_tree(stage, version, inputs, chapters)
    return str(soup), notices


def build_tree(
    stage: str, version: str, inputs: dict[str, str], chapters: list[dict] | None = None
) -> tuple[BeautifulSoup, list[str]]:
    """The report as a parsed tree (its text is the HTML file) and its cover notices: the documents are
    cut from the same tree instead of reading the file's text again (a reading of the report takes 0.3 s)."""
    parts = collect_parts(stage, inputs, chapters)
    title, notices = title_page(stage, version)
    rep = config.get("report")
    translations = "".join(
        f'<section class="translation" id="translation-{language}" lang="{language}" '
        f'data-title="{html.escape(config.get(f"translations.{language}.report.title"))}">{"".join(chunks)}</section>'
        for language, chunks in sorted(parts.translations.items())
    )
    doc = f"""<!DOCTYPE html>
<html lang="{html.escape(rep.get("language", "en"))}"><head><meta charset="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1"/>
<title>{html.escape(rep["title"])} ({stage})</title>
<style>{CSS_FILE.read_text(encoding="utf-8")}</style></head>
<body class="stage-{stage}">
{title}
<section class="front-matter-part">{"".join(parts.front)}</section>
<div id="toc-placeholder"></div>
<div id="abbreviations-placeholder"></div>
<main id="report-body">{"".join(parts.body)}</main>
<section id="report-annexes"><h1 class="unnumbered part-title">{words("en")["annexes"]}</h1>{"".join(parts.annexes)}</section>
{translations}
</body></html>"""
    soup = BeautifulSoup(doc, "html.parser")
    for tag in soup.find_all(["script", "link"]):  # nothing may load from the network
        tag.decompose()
    numbering = number_document(soup)
    for section in tagged(soup, "section", "translation"):
        number_translation(section, soup)
    crossrefs.resolve(soup, numbering.targets)
    in_body = soup.find(id="report-body").find_all("div", class_="chapter", recursive=False)
    numbered = [c for c in in_body if "unnumbered-chapter" not in c["class"]]
    crossrefs.link_ids(soup, numbered)
    crossrefs.link_annexes(soup, numbering.annex_letters)
    library = citations.Library.load()
    cited = citations.resolve(soup, library)
    references = citations.references_html(cited, library, words("en")["references"])
    if references:
        soup.find(id="report-annexes").insert_after(BeautifulSoup(references, "html.parser"))
        numbering.toc.append((1, "references-heading", "", words("en")["references"]))
    for section in tagged(soup, "section", "translation"):
        for node in text_nodes(section):
            node.replace_with(languages.typography(str(node), section["lang"]))
    cleanup.sources_in_words(soup, excluded=soup.find_all(attrs={"data-notebook": "reproducibility"}))
    cleanup.short_citations_in_tables(soup.find(id="report-body"), library)
    terms = glossary.load()
    english = [soup.find(id=i) for i in ("report-body", "report-annexes")]
    used = terms.used_in(" ".join(part.get_text(" ") for part in english if part is not None))
    soup.find(id="abbreviations-placeholder").replace_with(BeautifulSoup(abbreviations_html(used), "html.parser"))
    for section in tagged(soup, "section", "translation"):
        listing = abbreviations_html(terms.used_in(section.get_text(" ")), section["lang"])
        if listing:
            front = section.find("div", class_="front-matter", recursive=False)
            if front is not None:
                front.insert_after(BeautifulSoup(listing, "html.parser"))
            else:
                section.insert(0, BeautifulSoup(listing, "html.parser"))
    listings = tagged(soup, "section", "abbreviations")
    abbreviations = listings[0].find("h1") if listings else None
    if abbreviations is not None:
        abbreviations["id"] = "abbreviations"
        numbering.toc.insert(0, (1, "abbreviations", "", abbreviations.get_text()))
    for section in tagged(soup, "section", "translation"):
        heading = section.select_one("div.chapter h1")
        if heading is not None:
            heading["id"] = f"translation-{section['lang']}-heading"
            numbering.toc.append((1, heading["id"], "", heading.get_text(" ", strip=True)))
    soup.find(id="toc-placeholder").replace_with(BeautifulSoup(toc_html(numbering.toc), "html.parser"))
    return soup, notices


def number_translation(section: Tag, soup: BeautifulSoup) -> None:
    """A translation's headings stay unnumbered; its tables and figures are numbered 1, 2 … in its language."""
    vocabulary = words(section["lang"])
    counts = {"table": 0, "figure": 0}
    for caption in section.select(".caption"):
        strong = caption.find("strong")
        kind = "figure" if "figure-caption" in (caption.get("class") or []) else "table"
        if strong is None:
            continue
        counts[kind] += 1
        crossrefs.take_label(caption)
        strong.string = f"{vocabulary[kind]} {counts[kind]}."
    for heading in section.find_all(["h1", "h2", "h3"]):
        crossrefs.take_label(heading)
        heading["class"] = [*(heading.get("class") or []), "unnumbered"]


def translation_document(soup: BeautifulSoup, language: str, stage: str, version: str) -> str | None:
    """A translation on its own (the Russian summary as its own Word and PDF file): its cover, its front
    matter, its text and the References it cites, from the parsed report (which it does not change)."""
    section = soup.find("section", id=f"translation-{language}")
    if section is None:
        return None
    title, _ = title_page(stage, version, language)
    references = soup.find("section", class_="references")
    cited = references if references is not None and section.select("a.ref-number") else None
    head = soup.find("head")
    alone = BeautifulSoup(
        f'<!DOCTYPE html><html lang="{language}">{head}<body class="stage-{stage}">{title}'
        f"{''.join(str(c) for c in section.contents)}{cited or ''}</body></html>",
        "html.parser",
    )
    anchors = {tag["id"] for tag in alone.find_all(id=True)}
    for link in alone.select('a[href^="#"]'):  # a link into the English report has no target here
        if link["href"][1:] not in anchors:
            link.unwrap()
    return str(alone)


def translations(soup: BeautifulSoup, stage: str, version: str) -> list[tuple[str, str, list[str]]]:
    """(language, document, cover notices) of each translation the parsed report holds."""
    found = []
    for section in tagged(soup, "section", "translation"):
        language = section["lang"]
        _, notices = title_page(stage, version, language)
        found.append((language, translation_document(soup, language, stage, version), notices))
    return found
