"""The comparison of committed and executed notebook outputs (``tests/_notebook_compare.py``)."""

from __future__ import annotations

import copy

import pytest
from _notebook_compare import compare_notebooks, compare_text, split_numbers


def _nb(*outputs: dict, source: str = "print(study)") -> dict:
    return {
        "cells": [
            {"cell_type": "markdown", "source": "# Title", "metadata": {}},
            {"cell_type": "code", "source": source, "outputs": list(outputs), "metadata": {}},
        ]
    }


def _stream(text: str, name: str = "stdout") -> dict:
    return {"output_type": "stream", "name": name, "text": text}


def _figure() -> dict:
    return {
        "output_type": "display_data",
        "data": {"image/png": "iVBORw0KGgo=", "text/plain": "<Figure size 640x480 with 1 Axes>"},
        "metadata": {},
    }


def test_identical_outputs_match() -> None:
    nb = _nb(_stream("CAR -1.18% (p = 0.031)\n"), _figure())
    assert compare_notebooks(nb, copy.deepcopy(nb), "00_quickstart") == []


def test_a_number_that_drifts_fails_and_says_where() -> None:
    problems = compare_notebooks(
        _nb(_stream("mean CAR +0.32%, p = 0.233\n")),
        _nb(_stream("mean CAR +0.32%, p = 0.234\n")),
        "01_gold_event_study",
    )
    assert len(problems) == 1
    message = problems[0]
    assert message.startswith("01_gold_event_study cell 2 ('print(study)') output 1")
    assert "number 2 differs: committed 0.233, executed 0.234" in message
    assert "in line 1 'mean CAR #%, p = #'" in message


def test_a_changed_word_fails() -> None:
    problems = compare_text("verdict: supported\n", "verdict: contradicted\n", "cell 3")
    assert problems == [
        "cell 3: text differs at line 1: committed 'verdict: supported', "
        "executed 'verdict: contradicted'"
    ]


def test_round_off_within_the_tolerance_passes() -> None:
    assert compare_text("r = 0.30000000000000004\n", "r = 0.3\n") == []
    assert compare_text("se 2.7870001e-05", "se 2.787e-05") == []
    # the padding of a table follows the printed width of its numbers
    assert compare_text("  a   0.3000000000000000444\n", "  a   0.3\n") == []


def test_numbers_outside_the_tolerance_fail() -> None:
    assert compare_text("rows 6395", "rows 6396")  # counts are exact below a million
    assert compare_text("p 0.0500", "p 0.0501")
    assert compare_text("CAR +1.10", "CAR -1.10")
    assert compare_text("p 0.05", "p nan")  # a number turned NaN is a change of text


def test_what_counts_as_a_number() -> None:
    text, values, _ = split_numbers("GC=F 2025-03-17 (-1, +1) 3,000.0 USD 1D tariff_2025 1e-05")
    assert values == [2025, 3, 17, -1, 1, 3000.0, 1e-05]
    assert text == "GC=F \0-\0-\0 (\0, \0) \0 USD 1D tariff_2025 \0"
    # digits inside file names, hashes and long ids are text, compared character by character
    token = "9252583647094848244431316973245869222379640287360099162283052699401101960353"
    assert split_numbers(f"prices/{token}.csv 934f97d8a5 0xdeadbeef")[1] == []
    assert compare_text(f"prices/{token}.csv", f"prices/{token[:-1]}4.csv")
    assert split_numbers(token)[1] == []


def test_output_kinds_and_images() -> None:
    committed = _nb(_stream("a\n"), _figure())
    # an image where none was committed, and a missing one, fail
    assert compare_notebooks(committed, _nb(_stream("a\n"), _stream("b\n", "stderr")))
    assert compare_notebooks(committed, _nb(_stream("a\n")))
    # image bytes are not compared
    other = _figure()
    other["data"]["image/png"] = "AAAA"
    assert compare_notebooks(committed, _nb(_stream("a\n"), other)) == []
    # a warning on stderr is an output like any other
    problems = compare_notebooks(_nb(_stream("a\n")), _nb(_stream("a\n"), _stream("w", "stderr")))
    assert problems and "1 output(s) committed (stream (stdout))" in problems[0]


def test_streams_are_compared_as_they_are() -> None:
    # notebooks/execute.py joins the chunks of a stream on both sides; here they are outputs
    whole = _nb(_stream("line 1\nline 2\n"))
    cut = _nb(_stream("line 1\n"), _stream("line 2\n"))
    assert compare_notebooks(whole, cut)


@pytest.mark.parametrize("mime", ["text/plain", "text/html"])
def test_rich_text_is_compared_like_streams(mime: str) -> None:
    def result(text: str) -> dict:
        return {"output_type": "execute_result", "data": {mime: text}, "metadata": {}}

    assert (
        compare_notebooks(_nb(result("<td>0.5</td>")), _nb(result("<td>0.5000000001</td>"))) == []
    )
    assert compare_notebooks(_nb(result("<td>0.5</td>")), _nb(result("<td>0.6</td>")))
