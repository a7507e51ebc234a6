"""Notebooks are executed as tests, on the snapshot, and their key numbers checked.

The kernel is a subprocess that talks to this process over loopback ZeroMQ sockets, which
pytest-socket would block, so these tests enable sockets (``enable_socket``); nothing leaves the
machine: the kernel gets ``EVENTSTUDY_OFFLINE=1``, which makes every loader refuse the network.
Key numbers are checked against an independent computation from the raw closes, not against
stored outputs.
"""

from __future__ import annotations

import ast
import math
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def _execute(path: Path, snapshot_dir: Path, monkeypatch) -> nbformat.NotebookNode:
    nb = nbformat.read(path, as_version=4)
    # the kernel inherits this process's environment
    monkeypatch.setenv("EVENTSTUDY_DATA", str(snapshot_dir))
    monkeypatch.setenv("EVENTSTUDY_OFFLINE", "1")
    client = NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
    )
    client.execute()
    return nb


def _last_value(nb: nbformat.NotebookNode) -> dict:
    outputs = nb.cells[-1].outputs
    text = next(
        o["data"]["text/plain"] for o in outputs if o.get("output_type") == "execute_result"
    )
    return ast.literal_eval(text)


@pytest.mark.enable_socket
@pytest.mark.slow
def test_gold_events_notebook(snapshot_dir: Path, monkeypatch) -> None:
    nb = _execute(NOTEBOOKS / "gold_events.ipynb", snapshot_dir, monkeypatch)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.get("output_type") == "error"]  # fmt: skip
    assert not errors
    key = _last_value(nb)

    closes = pd.read_csv(snapshot_dir / "prices" / "GC=F.csv", index_col="date")["close"]
    day0 = 100 * math.log(closes["2022-02-24"] / closes["2022-02-23"])
    day1 = 100 * math.log(closes["2022-02-25"] / closes["2022-02-24"])
    assert key["n_events"] == 61
    assert key["russia_day0_return_pct"] == pytest.approx(day0, abs=1e-4)
    assert key["russia_day1_return_pct"] == pytest.approx(day1, abs=1e-4)
    assert 0.7 < key["russia_day0_return_pct"] < 0.9  # "GC=F rose 0.8% on day 0"
    assert -2.1 < key["russia_day1_return_pct"] < -1.9  # "and fell 2.0% on day +1"
    assert 30 <= key["n_studied"] <= 61
    assert math.isfinite(key["russia_car_pct"])
