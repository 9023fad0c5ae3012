"""One house style for every figure: colour-blind-safe palette, a Cyrillic-capable font, fixed size.

Figures are rendered to PNG (bytes are identical across runs, unlike SVG or PDF) and embedded in the
report by `report.figure()`.
"""

from __future__ import annotations

import io

#: Imported when the first figure is drawn, not with this module: `make check` reads the chapters' code
#: and would otherwise wait 1.6 s for seaborn (and the scipy it loads). A build's warm kernel process
#: imports them once for every notebook (analysis.engine.runner.notebook_imports).
PLOTTING_MODULES = ("matplotlib.pyplot", "seaborn")

# Okabe & Ito (2008): distinguishable by readers with the common forms of colour blindness.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000", "#999999"]
SEX_COLOURS = {"female": "#CC79A7", "male": "#0072B2", "other": "#999999", "unknown": "#BBBBBB"}
DPI = 110


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def apply_house_style() -> None:
    import seaborn as sns

    plt = _pyplot()
    sns.set_theme(context="notebook", style="whitegrid", palette=PALETTE)
    plt.rcParams.update(
        {
            # DejaVu Sans ships with matplotlib and covers Cyrillic including Kyrgyz ң ө ү.
            "font.family": ["DejaVu Sans"],
            "figure.figsize": (8.0, 4.5),
            "figure.dpi": DPI,
            "savefig.dpi": DPI,
            "axes.titlesize": 12,
            "axes.titleweight": "bold",
            "axes.labelsize": 10,
            "legend.fontsize": 9,
            "svg.hashsalt": "analysis",
        }
    )


def new_figure(width: float = 8.0, height: float = 4.5, **kwargs):
    apply_house_style()
    return _pyplot().subplots(figsize=(width, height), **kwargs)


def png_bytes(fig) -> bytes:
    """Render without timestamps or software-version metadata so equal figures give equal bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight", metadata={"Software": None})
    _pyplot().close(fig)
    return buffer.getvalue()
