"""Shared helpers of the tools/make_*_notebook.py scripts, which keep each notebook reviewable as code."""

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

KERNEL_METADATA = {
    "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
    "language_info": {"name": "python"},
}


def cell(kind, source, cid, tags=()):
    """A code or Markdown cell with a stable, readable id (reruns and verify compare cells by id)."""
    c = new_code_cell(source) if kind == "code" else new_markdown_cell(source)
    c["id"] = cid
    if tags:
        c.metadata["tags"] = list(tags)
    return c


def write_notebook(cells, target):
    """Write the notebook without outputs, with the project's kernel (nbformat 4.5 for cell ids)."""
    nb = new_notebook(cells=cells, metadata=dict(KERNEL_METADATA))
    nb.nbformat, nb.nbformat_minor = 4, 5
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target)
    print(f"wrote {target.name}")
