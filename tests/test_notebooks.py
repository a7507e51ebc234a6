"""The notebooks: paired with their ``py:percent`` sources, committed clean, and reproducible.

For every notebook in ``notebooks/`` (``NN_name.py`` beside ``NN_name.ipynb``):

* the ``.py`` and the ``.ipynb`` hold the same cells (jupytext reads the ``.py``);
* the committed ``.ipynb`` was executed top to bottom (execution counts 1, 2, ... on every
  code cell), has no error output, and names no path of the machine and no memory address;
* a copy executed afresh, once per test session, in a new kernel with the snapshot
  (``notebooks/execute.py``, the script that regenerates them, does the executing) gives the
  committed outputs: same output types per cell, the same text once numbers are pulled out,
  numbers equal within a tolerance, an image wherever one was committed
  (``tests/_notebook_compare.py`` says exactly how).

The kernel is a subprocess that talks to this process over loopback ZeroMQ sockets, which
pytest-socket would block, so the executing test enables sockets (``enable_socket``); nothing
leaves the machine: the kernel gets ``EVENTSTUDY_OFFLINE=1``, which makes every loader refuse the
network.
"""

from __future__ import annotations

import copy
import importlib.util
import re
from pathlib import Path

import nbformat
import pytest
from _notebook_compare import ABS_TOL, REL_TOL, compare_notebooks

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"


def _load_execute():
    spec = importlib.util.spec_from_file_location("notebooks_execute", NOTEBOOKS / "execute.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


execute = _load_execute()
SOURCES = execute.notebook_sources(NOTEBOOKS)
NAMES = [p.stem for p in SOURCES]

_ADDRESS = re.compile(r"\b0x[0-9a-fA-F]{6,}\b")
"""A memory address (``<object at 0x7f...>``): different in every run."""


def _committed(name: str) -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)


def _texts(nb: nbformat.NotebookNode):
    """``(cell number, text)`` of every text output (streams, tracebacks, text/* data)."""
    for i, cell in enumerate(nb.cells, 1):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                yield i, out["text"]
            elif out.get("output_type") == "error":
                yield i, "\n".join(out.get("traceback", []))
            for mime, value in out.get("data", {}).items():
                if mime.startswith("text/"):
                    yield i, value if isinstance(value, str) else "".join(value)


def test_every_notebook_has_both_files() -> None:
    assert NAMES, f"no notebook sources (NN_name.py) in {NOTEBOOKS}"
    ipynbs = sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb"))
    assert ipynbs == NAMES, "every NN_name.py needs its NN_name.ipynb and the reverse"


@pytest.mark.parametrize("name", NAMES)
def test_py_and_ipynb_are_in_sync(name: str) -> None:
    nb = _committed(name)
    assert nb.metadata.get("jupytext", {}).get("formats") == execute.FORMATS, (
        f"{name}.ipynb: metadata jupytext.formats must be {execute.FORMATS!r}"
    )
    source = execute.read_source(NOTEBOOKS / f"{name}.py")
    assert execute.cells(source) == execute.cells(nb), (
        f"{name}.py and {name}.ipynb differ: edit the .py and run python notebooks/execute.py "
        f"{name} (or, after editing the .ipynb, jupytext --sync notebooks/{name}.ipynb)"
    )


@pytest.mark.parametrize("name", NAMES)
def test_committed_notebook_was_run_top_to_bottom_cleanly(name: str, repo_root: Path) -> None:
    nb = _committed(name)
    code = [c for c in nb.cells if c.cell_type == "code"]
    counts = [c.execution_count for c in code]
    assert counts == list(range(1, len(code) + 1)), (
        f"{name}: execution counts {counts}; regenerate with python notebooks/execute.py {name}"
    )
    errors = [(i, o.get("ename")) for i, c in enumerate(nb.cells, 1)
              for o in c.get("outputs", []) if o.get("output_type") == "error"]  # fmt: skip
    assert not errors, f"{name}: error outputs in cells {errors}"
    # the repository, the data directory and the home directory, where they are specific
    # enough to be searched for (not "/" or "/root")
    places = (repo_root, execute.data_dir(), Path.home())
    machine = [str(p) for p in places if len(p.parts) > 2]
    for cell, text in _texts(nb):
        assert not _ADDRESS.search(text), f"{name} cell {cell}: a memory address in {text!r}"
        for path in machine:
            assert path not in text, f"{name} cell {cell}: the machine's path {path} in the output"


@pytest.fixture(scope="module", params=NAMES)
def executed(request, snapshot_dir: Path) -> tuple[str, nbformat.NotebookNode]:
    """A fresh execution of the committed notebook (once per notebook and session)."""
    name = request.param
    nb = copy.deepcopy(_committed(name))
    return name, execute.execute(nb, snapshot_dir.resolve())


@pytest.mark.enable_socket
@pytest.mark.slow
@pytest.mark.snapshot
def test_outputs_are_reproduced(executed: tuple[str, nbformat.NotebookNode]) -> None:
    name, nb = executed
    problems = compare_notebooks(_committed(name), nb, name)
    assert not problems, (
        f"{len(problems)} difference(s) between the committed and the executed outputs of "
        f"{name} (numbers within rel {REL_TOL:g} / abs {ABS_TOL:g} count as equal); if the "
        f"change is intended, regenerate with python notebooks/execute.py {name}:\n"
        + "\n".join(problems)
    )
