"""A SYNTHETIC reviewed copy of the draft DOCX, to show `make feedback` end to end without real reviewers.

python-docx writes the comments; Word's threading parts (replies, resolved flag), which python-docx does
not write, are added as raw XML by `add_word_threads` the way Word 2016+ stores them. Comment texts and
reviewers are invented; dates are fixed and zip entries carry a fixed timestamp, so the same draft and
seed give the same bytes.
"""

from __future__ import annotations

import argparse
import io
import random
import re
import sys
import zipfile
from pathlib import Path

import docx
from lxml import etree

from analysis.engine import atomic, paths

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
W15 = "http://schemas.microsoft.com/office/word/2012/wordml"
W16CID = "http://schemas.microsoft.com/office/word/2016/wordml/cid"
W16CEX = "http://schemas.microsoft.com/office/word/2018/wordml/cex"
CONTENT_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
THREAD_PARTS = {  # part → (relationship type, content type)
    "word/commentsExtended.xml": (
        "http://schemas.microsoft.com/office/2011/relationships/commentsExtended",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.commentsExtended+xml",
    ),
    "word/commentsIds.xml": (
        "http://schemas.microsoft.com/office/2016/09/relationships/commentsIds",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.commentsIds+xml",
    ),
    "word/commentsExtensible.xml": (
        "http://schemas.microsoft.com/office/2018/08/relationships/commentsExtensible",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.commentsExtensible+xml",
    ),
}
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)

DEFAULT_DRAFT = "reports/draft/analysis.docx"
DEFAULT_OUT = "data/raw/feedback/draft_reviewed_synthetic.docx"
DEFAULT_SEED = 20261128
REFERENCE = re.compile(r"\b[FR]-\d{2}\b")


def add_word_threads(
    package: bytes,
    dates: dict[str, str | None],
    parents: dict[str, str] | None = None,
    done: set[str] | None = None,
    utc_dates: dict[str, str] | None = None,
) -> bytes:
    """Add what Word stores beside comments.xml: paragraph ids, threads and resolved flags.

    `dates` sets (or, with None, removes) each comment's w:date; `parents` maps a reply's comment id to
    the id it answers; `done` holds the resolved comment ids; `utc_dates` (comment id → ISO UTC) adds
    commentsIds.xml and commentsExtensible.xml. Every zip entry gets a fixed timestamp.
    """
    parents, done = parents or {}, done or set()
    source = zipfile.ZipFile(io.BytesIO(package))
    comments = etree.fromstring(source.read("word/comments.xml"))
    last_para: dict[str, str] = {}
    for n, comment in enumerate(comments.iter(f"{{{W}}}comment")):
        cid = comment.get(f"{{{W}}}id")
        for m, paragraph in enumerate(comment.iter(f"{{{W}}}p")):
            paragraph.set(f"{{{W14}}}paraId", f"{0x10000000 + 16 * n + m:08X}")
            last_para[cid] = paragraph.get(f"{{{W14}}}paraId")  # the last paragraph's id names the comment
        if dates.get(cid):
            comment.set(f"{{{W}}}date", dates[cid])
        elif cid in dates:
            comment.attrib.pop(f"{{{W}}}date", None)
    parts = {
        "word/commentsExtended.xml": (
            f'<w15:commentsEx xmlns:w15="{W15}">'
            + "".join(
                f'<w15:commentEx w15:paraId="{last_para[c]}"'
                + (f' w15:paraIdParent="{last_para[parents[c]]}"' if c in parents else "")
                + f' w15:done="{1 if c in done else 0}"/>'
                for c in last_para
            )
            + "</w15:commentsEx>"
        )
    }
    if utc_dates:
        durable = {c: f"{0x2A000000 + n:08X}" for n, c in enumerate(last_para)}
        parts["word/commentsIds.xml"] = (
            f'<w16cid:commentsIds xmlns:w16cid="{W16CID}">'
            + "".join(
                f'<w16cid:commentId w16cid:paraId="{last_para[c]}" w16cid:durableId="{durable[c]}"/>' for c in last_para
            )
            + "</w16cid:commentsIds>"
        )
        parts["word/commentsExtensible.xml"] = (
            f'<w16cex:commentsExtensible xmlns:w16cex="{W16CEX}">'
            + "".join(
                f'<w16cex:commentExtensible w16cex:durableId="{durable[c]}" w16cex:dateUtc="{utc_dates[c]}"/>'
                for c in last_para
                if c in utc_dates
            )
            + "</w16cex:commentsExtensible>"
        )
    types = etree.fromstring(source.read("[Content_Types].xml"))
    rels = etree.fromstring(source.read("word/_rels/document.xml.rels"))
    for n, part in enumerate(parts):
        rel_type, content_type = THREAD_PARTS[part]
        etree.SubElement(types, f"{{{CONTENT_TYPES}}}Override", PartName="/" + part, ContentType=content_type)
        etree.SubElement(
            rels,
            f"{{{RELATIONSHIPS}}}Relationship",
            Id=f"rIdThread{n}",
            Type=rel_type,
            Target=part.removeprefix("word/"),
        )
    rewritten = {"word/comments.xml": comments, "[Content_Types].xml": types, "word/_rels/document.xml.rels": rels}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename in rewritten:
                data = etree.tostring(rewritten[item.filename], xml_declaration=True, encoding="UTF-8", standalone=True)
            target.writestr(zipfile.ZipInfo(item.filename, FIXED_ZIP_TIME), data, zipfile.ZIP_DEFLATED)
        for part, xml in parts.items():
            target.writestr(
                zipfile.ZipInfo(part, FIXED_ZIP_TIME),
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + xml,
                zipfile.ZIP_DEFLATED,
            )
    return out.getvalue()


def reviewed_copy(draft: Path, seed: int = DEFAULT_SEED) -> bytes:
    """The draft with five synthetic comments: a thread, a resolved one, a Cyrillic one over two paragraphs."""
    document = docx.Document(draft)
    headings = [i for i, p in enumerate(document.paragraphs) if p.style.name.casefold().startswith("heading")]
    start = headings[0] if headings else 0  # skip the title page and the table of contents
    numbered = [
        (i, p)
        for i, p in enumerate(document.paragraphs)
        if i > start and p.runs and len(p.text.strip()) >= 40 and not p.style.name.casefold().startswith("heading")
    ]
    if len(numbered) < 4:
        raise ValueError(f"{paths.relative(draft)} has too few body paragraphs to comment on")
    body = [p for _, p in numbered]
    with_ids = [p for p in body if REFERENCE.search(p.text)]
    rng = random.Random(seed)
    pool = with_ids if len(with_ids) >= 3 else body
    first, third = sorted(rng.sample(range(len(pool)), 2))
    adjacent = [k for k in range(len(numbered) - 1) if numbered[k + 1][0] == numbered[k][0] + 1]
    spanning = rng.choice(adjacent) if adjacent else 0  # this paragraph and the next
    c_first = pool[first]
    document.add_comment(
        c_first.runs,
        "Please cite the legal source of this statement.",
        author="IOM reviewer (synthetic)",
        initials="IR",
    )
    document.add_comment(
        c_first.runs,
        "Agreed; the 2024 amendment should be cited as well.",
        author="Partner reviewer (synthetic)",
        initials="PR",
    )
    document.add_comment(
        [body[spanning].runs[0], body[spanning + 1].runs[-1]],
        "Уточните, распространяется ли это также на студентов.\nПросим привести источник.",
        author="Партнёр-рецензент (синтетический)",
        initials="ПР",
    )
    document.add_comment(
        pool[third].runs,
        "The figure differs from the ministry's annual report.",
        author="Partner reviewer (synthetic)",
        initials="PR",
    )
    document.add_comment(
        body[-1].runs, "Typo in the Kyrgyz title of the act.", author="IOM reviewer (synthetic)", initials="IR"
    )
    buffer = io.BytesIO()
    document.save(buffer)
    dates = {
        "0": "2026-12-01T10:00:00Z",
        "1": "2026-12-01T15:20:00Z",
        "2": "2026-12-02T09:05:00Z",
        "3": "2026-12-02T11:40:00Z",
        "4": "2026-12-03T08:30:00Z",
    }
    return add_word_threads(buffer.getvalue(), dates, parents={"1": "0"}, done={"4"})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis synthetic-feedback", description=__doc__.split("\n\n")[0])
    parser.add_argument("--draft", default=DEFAULT_DRAFT)
    parser.add_argument("--out", default=DEFAULT_OUT)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    draft = paths.resolve(args.draft)
    if not draft.exists():
        print(f"no draft at {paths.relative(draft)}: run `make report` first", file=sys.stderr)
        return 1
    out = paths.resolve(args.out)
    atomic.write_bytes(out, reviewed_copy(draft, args.seed), allow_raw=True)
    print(f"wrote {paths.relative(out)} (synthetic reviewer comments, seed {args.seed})")
    return 0
