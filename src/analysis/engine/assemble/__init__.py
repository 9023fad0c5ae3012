"""Assemble the executed notebooks into one report: HTML (self-contained) first, then DOCX and PDF from it.

`html` builds the HTML document; `documents` converts it with pandoc into Word (real tables and images,
styles from references/reference.docx) and into typst source, which the pip-installed `typst` compiles to PDF.
A translated summary (the Russian one) also becomes a Word and a PDF file of its own, summary_ru.docx/.pdf.
The HTML is written before the documents are started, so it is ready first (`make html` stops there), and
it is assembled incrementally: each chapter's rendering is kept in `.build/<stage>/html/` with the hash
of its executed notebook and of the engine's code, so only a changed chapter is rendered again.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any

from analysis.engine import atomic, manifest, numbers, paths
from analysis.engine.assemble import html
from analysis.engine.assemble.common import REFERENCE_DOCX, STAGE_MARKS
from analysis.engine.assemble.documents import pandoc_source, write_docx, write_pdf, write_reference_docx

ENGINE_DIR = Path(__file__).resolve().parents[1]


def renderer_digest() -> str:
    """A chapter's rendering depends on the engine's code (and the nbconvert it calls), nothing else."""
    digest = hashlib.sha256(importlib_metadata.version("nbconvert").encode())
    for file in sorted(ENGINE_DIR.rglob("*.py")):
        digest.update(file.read_bytes())
    return digest.hexdigest()


def chapter(stage: str, notebook: Path, renderer: str | None = None) -> tuple[Any, bool]:
    """One executed notebook's parts of the HTML (what `html.chapter_html` returns, kept as JSON) from the
    cache, or rendered (the bool) and cached."""
    import nbformat

    data = notebook.read_bytes()
    key = hashlib.sha256((renderer or renderer_digest()).encode() + data).hexdigest()
    cached = paths.resolve(f".build/{stage}/html/{notebook.stem}.json")
    entry = json.loads(cached.read_text(encoding="utf-8")) if cached.exists() else {}
    if entry.get("key") == key:
        return entry["parts"], False
    parts = html.chapter_html(notebook.stem, nbformat.reads(data.decode("utf-8"), as_version=4))
    atomic.write_json(cached, {"key": key, "parts": parts})
    return json.loads(json.dumps(parts)), True  # as the cache gives it back


def chapters(stage: str) -> tuple[list[Any], int]:
    """Every executed notebook's parts of the HTML, rendered again only if it changed; and how many were."""
    renderer = renderer_digest()
    parts, rendered = [], 0
    for path in html.executed_paths(stage):
        part, fresh = chapter(stage, path, renderer)
        parts.append(part)
        rendered += fresh
    return parts, rendered


def assemble(stage: str, documents: bool = True, alongside: Callable[[], None] | None = None) -> dict[str, Path]:
    """Write the HTML; then, if `documents`, numbers.json, the DOCX and PDF in parallel (with `alongside`,
    work that needs the HTML but not the documents: the build's privacy scan), and the manifest."""
    started = time.perf_counter()
    version = importlib_metadata.version("analysis")
    inputs = manifest.input_hashes()
    parts, rendered = chapters(stage)
    tree, notices = html.build_tree(stage, version, inputs, parts)
    document = str(tree)
    out_dir = paths.resolve(f"reports/{stage}")
    targets = {"html": out_dir / "analysis.html"}
    atomic.write_text(targets["html"], document)
    print(
        f"✔ {stage}: {paths.relative(targets['html'])} in {time.perf_counter() - started:.1f} s "
        f"({rendered} of {len(parts)} chapters rendered, the others from the cache)",
        flush=True,
    )
    if not documents:
        return {"html": targets["html"]}
    started = time.perf_counter()
    atomic.write_bytes(out_dir / "numbers.json", paths.resolve(numbers.MERGED).read_bytes())

    # Each document (the report, then each translated summary) is written as Word and as PDF, each by a
    # pandoc of its own; pandoc and typst work outside the GIL, so these overlap on two cores.
    def timed(kind, writer, source, notices, language) -> float:
        begun = time.perf_counter()
        writer(source, targets[f"{kind}-{language}"], stage, version, notices, language)
        return time.perf_counter() - begun

    # Threads mostly wait for pandoc, typst or the scan: one each, whatever the cores.
    with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(max_workers=8) as pool:
        other = pool.submit(alongside) if alongside else None
        jobs = {}

        def write(source, shown_notices, language, name) -> None:
            for kind, writer in (("pdf", write_pdf), ("docx", write_docx)):  # the PDF takes longest: first
                targets[f"{kind}-{language}"] = out_dir / f"{name}.{kind}"
                jobs[f"{kind}-{language}"] = pool.submit(timed, kind, writer, source, shown_notices, language)

        # The translations are cut from the report's tree first, since its reading for pandoc then changes it;
        # the report's own documents go first: its PDF is the longest job.
        translations = html.translations(tree, stage, version)
        write(pandoc_source(document, Path(tmp) / "en", tree=tree), notices, "en", "analysis")
        for language, translation, translated_notices in translations:
            write(
                pandoc_source(translation, Path(tmp) / language, language),
                translated_notices,
                language,
                f"summary_{language}",
            )
        for kind, job in jobs.items():
            print(f"✔ {stage}: {paths.relative(targets[kind])} in {job.result():.1f} s", flush=True)
        if other is not None:
            other.result()
    manifest.write(stage, inputs)
    print(
        f"✔ {stage}: documents in {time.perf_counter() - started:.1f} s; {paths.relative(out_dir / 'manifest.json')}",
        flush=True,
    )
    return targets


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis assemble", description=__doc__)
    parser.add_argument("--stage", default="draft", choices=sorted(STAGE_MARKS))
    parser.add_argument("--html-only", action="store_true", help="write the HTML and stop (no DOCX or PDF)")
    parser.add_argument("--reference-docx", action="store_true", help=f"(re)write {REFERENCE_DOCX} and stop")
    args = parser.parse_args(argv)
    if args.reference_docx:
        write_reference_docx(paths.resolve(REFERENCE_DOCX))
        return 0
    assemble(args.stage, documents=not args.html_only)
    return 0
