"""Assemble the executed notebooks into one report: HTML (self-contained), DOCX and PDF.

`html` builds the HTML document; `documents` converts it with pandoc into Word (real tables and images,
styles from references/reference.docx) and into typst source, which the pip-installed `typst` compiles to PDF.
A translated summary (the Russian one) also becomes a Word and a PDF file of its own, summary_ru.docx/.pdf.
"""

from __future__ import annotations

import argparse
from concurrent.futures import ThreadPoolExecutor
from importlib import metadata as importlib_metadata
from pathlib import Path

from analysis.engine import atomic, manifest, numbers, paths
from analysis.engine.assemble.common import REFERENCE_DOCX, STAGE_MARKS
from analysis.engine.assemble.documents import write_docx, write_pdf, write_reference_docx
from analysis.engine.assemble.html import build_html, translations


def assemble(stage: str) -> dict[str, Path]:
    version = importlib_metadata.version("analysis")
    inputs = manifest.input_hashes()
    document, notices = build_html(stage, version, inputs)
    out_dir = paths.resolve(f"reports/{stage}")
    targets = {"html": out_dir / "analysis.html", "docx": out_dir / "analysis.docx", "pdf": out_dir / "analysis.pdf"}
    atomic.write_text(targets["html"], document)
    print(f"✔ {stage}: {paths.relative(targets['html'])}", flush=True)
    # pandoc runs as a subprocess, so the Word and PDF conversions overlap on two cores.
    with ThreadPoolExecutor(max_workers=2) as pool:
        jobs = {kind: pool.submit(writer, document, targets[kind], stage, version, notices)
                for kind, writer in (("docx", write_docx), ("pdf", write_pdf))}
        for language, translation, translated_notices in translations(document, stage, version):
            for kind, writer in (("docx", write_docx), ("pdf", write_pdf)):
                targets[f"{kind}-{language}"] = out_dir / f"summary_{language}.{kind}"
                jobs[f"{kind}-{language}"] = pool.submit(writer, translation, targets[f"{kind}-{language}"], stage,
                                                         version, translated_notices, language)
        for kind, job in jobs.items():
            job.result()
            print(f"✔ {stage}: {paths.relative(targets[kind])}", flush=True)
    atomic.write_bytes(out_dir / "numbers.json", paths.resolve(numbers.MERGED).read_bytes())
    manifest.write(stage, inputs)
    print(f"✔ {stage}: {paths.relative(out_dir / 'manifest.json')}", flush=True)
    return targets


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis assemble", description=__doc__)
    parser.add_argument("--stage", default="draft", choices=sorted(STAGE_MARKS))
    parser.add_argument("--reference-docx", action="store_true", help=f"(re)write {REFERENCE_DOCX} and stop")
    args = parser.parse_args(argv)
    if args.reference_docx:
        write_reference_docx(paths.resolve(REFERENCE_DOCX))
        return 0
    assemble(args.stage)
    return 0
