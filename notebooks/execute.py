"""Regenerate the notebooks: each ``NN_name.py`` (jupytext ``py:percent``) becomes
``NN_name.ipynb``, executed top to bottom in a fresh kernel, with its outputs.

Usage (from the repository root, in the project's virtual environment)::

    python notebooks/execute.py                  # every notebook
    python notebooks/execute.py 01_gold_event_study 03_claims

The ``.py`` file is the source of the cells; the ``.ipynb`` is written from it with the outputs.
Run ``ruff format`` before this script, not after: a reformatted ``.py`` is out of sync with its
``.ipynb`` until the notebook is regenerated (``tests/test_notebooks.py`` checks the pairing).

The kernel runs exactly as in ``tests/test_notebooks.py``, which imports :func:`execute` from
here: working directory ``notebooks/``, ``EVENTSTUDY_DATA`` pointing at the data snapshot
(``$EVENTSTUDY_DATA`` if set, else ``../shared/data/snapshot`` beside the repository),
``EVENTSTUDY_OFFLINE=1`` (every loader refuses the network), ``MPLBACKEND=Agg`` (the
notebooks' ``%matplotlib inline`` draws the figures into the outputs) and ``PYTHONHASHSEED=0``.
Nothing that changes from run to run is written: no execution timings, no kernel version, no
random cell ids.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import jupytext
import nbformat

NOTEBOOKS = Path(__file__).resolve().parent
REPO = NOTEBOOKS.parent
DEFAULT_DATA = REPO.parent / "shared" / "data" / "snapshot"
FORMATS = "ipynb,py:percent"
"""The pairing recorded in each notebook's metadata (``jupytext.formats``)."""
TIMEOUT = 600
"""Seconds a cell may run."""


def notebook_sources(directory: Path = NOTEBOOKS) -> list[Path]:
    """The notebooks' ``py:percent`` sources: ``NN_name.py`` (two digits, an underscore)."""
    return sorted(directory.glob("[0-9][0-9]_*.py"))


def data_dir() -> Path:
    """The data directory the notebooks read: ``$EVENTSTUDY_DATA``, else the snapshot beside
    the repository."""
    env = os.environ.get("EVENTSTUDY_DATA", "").strip()
    return Path(env).resolve() if env else DEFAULT_DATA


def kernel_env(data: Path) -> dict[str, str]:
    """The kernel's environment: this process's, with the data directory, offline, Agg."""
    return {
        **os.environ,
        "EVENTSTUDY_DATA": str(data),
        "EVENTSTUDY_OFFLINE": "1",
        "MPLBACKEND": "Agg",
        "PYTHONHASHSEED": "0",
    }


def read_source(path: Path) -> nbformat.NotebookNode:
    """The notebook of a ``py:percent`` file, without outputs."""
    return jupytext.read(path, fmt="py:percent")


def coalesce_streams(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Join consecutive stream outputs of the same name (stdout, stderr) in every code cell.

    The kernel sends printed text in chunks as it is flushed; how it is cut depends on timing,
    what it says does not.
    """
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        merged: list = []
        for out in cell.get("outputs", []):
            prev = merged[-1] if merged else None
            if (
                out.get("output_type") == "stream"
                and prev is not None
                and prev.get("output_type") == "stream"
                and prev.get("name") == out.get("name")
            ):
                prev["text"] = prev["text"] + out["text"]
            else:
                merged.append(out)
        cell["outputs"] = merged
    return nb


def execute(nb: nbformat.NotebookNode, data: Path | None = None) -> nbformat.NotebookNode:
    """Execute a notebook in place in a fresh kernel; returns it.

    Parameters
    ----------
    nb : NotebookNode
        Its outputs are replaced.
    data : Path, optional
        Data directory (default :func:`data_dir`).

    Raises
    ------
    nbclient.exceptions.CellExecutionError
        A cell raised: the message names the cell and gives the traceback.
    """
    import matplotlib.font_manager  # noqa: F401  # builds the font cache here, not in a cell
    from nbclient import NotebookClient

    client = NotebookClient(
        nb,
        timeout=TIMEOUT,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    client.execute(env=kernel_env(data or data_dir()), cwd=str(NOTEBOOKS))
    nb.metadata["language_info"] = {"name": "python"}  # not the kernel's version
    return coalesce_streams(nb)


def cells(nb: nbformat.NotebookNode) -> list[tuple[str, str]]:
    """``(cell_type, source)`` of every cell: what pairing keeps equal in the two files."""
    return [(c.cell_type, c.source) for c in nb.cells]


def edited_in_ipynb(source: Path) -> bool:
    """True when the ``.ipynb`` has other cells than its ``.py`` and was changed after it
    (edited in Jupyter without jupytext): regenerating would lose that edit."""
    target = source.with_suffix(".ipynb")
    if not target.is_file() or target.stat().st_mtime <= source.stat().st_mtime:
        return False
    return cells(nbformat.read(target, as_version=4)) != cells(read_source(source))


def regenerate(source: Path, data: Path | None = None) -> Path:
    """Write ``<source>.ipynb`` from a ``py:percent`` source, executed, with outputs."""
    nb = read_source(source)
    nb.metadata["jupytext"] = {"formats": FORMATS}
    for i, cell in enumerate(nb.cells, 1):
        cell.id = f"cell-{i:02d}"  # not random: a rerun changes only what changed
    execute(nb, data)
    target = source.with_suffix(".ipynb")
    nbformat.validate(nb)
    nbformat.write(nb, target)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="notebook names (default: all), e.g. 03_claims")
    parser.add_argument(
        "--force", action="store_true", help="regenerate even a .ipynb edited after its .py"
    )
    args = parser.parse_args(argv)
    sources = notebook_sources()
    if args.names:
        wanted = {Path(n).stem for n in args.names}
        unknown = wanted - {s.stem for s in sources}
        if unknown:
            parser.error(f"no notebook source {', '.join(sorted(unknown))} in {NOTEBOOKS}")
        sources = [s for s in sources if s.stem in wanted]
    data = data_dir()
    if not data.is_dir():
        parser.error(f"data directory {data} not found; set EVENTSTUDY_DATA")
    edited = [s.with_suffix(".ipynb").name for s in sources if edited_in_ipynb(s)]
    if edited and not args.force:
        parser.error(
            f"{', '.join(edited)} changed after the .py and differ from it: bring the edit into "
            "the .py (jupytext --sync notebooks/NAME.ipynb) or pass --force to discard it"
        )
    for source in sources:
        target = regenerate(source, data)
        print(f"wrote {target.relative_to(REPO)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
