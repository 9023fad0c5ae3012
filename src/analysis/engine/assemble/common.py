"""What the HTML, DOCX and PDF writers share: the stage marks, the build date, the style files."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

REFERENCE_DOCX = "references/reference.docx"
CSS_FILE = Path(__file__).resolve().parents[1] / "report_style.css"
STAGE_MARKS = {
    "draft": "DRAFT — for validation with stakeholders; not for citation",
    "final": "FINAL — incorporates the feedback of IOM and partners",
}


def build_date() -> dt.date:
    """The document date: SOURCE_DATE_EPOCH (the last commit's date under make), so builds are repeatable."""
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH") or 0)
    return dt.datetime.fromtimestamp(epoch, tz=dt.timezone.utc).date()
