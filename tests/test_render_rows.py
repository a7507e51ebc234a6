"""A table's rows are written as the template wrote them cell by cell (report.render)."""

from __future__ import annotations

import jinja2
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from eventstudy.report.render import table

CELL_BY_CELL = (
    "{% for row in block.rows %}"
    '<tr>{% for cell in row %}<td class="{{ block.classes[loop.index0] }}">{{ cell }}</td>'
    "{% endfor %}</tr>\n{% endfor %}"
)
ROW_BY_ROW = "{% for row in block.html %}<tr>{{ row }}</tr>\n{% endfor %}"

texts = st.text(alphabet=st.characters(codec="utf-8"), max_size=12) | st.sampled_from(
    ["<script>alert(1)</script>", "a & b", '"quoted"', "'single'", "=1+2", "日本語"]
)


@settings(max_examples=100, deadline=None)
@given(
    cells=st.lists(
        st.tuples(texts, st.floats(allow_nan=True), st.integers(-(10**6), 10**6), st.booleans()),
        max_size=8,
    ),
    long=st.booleans(),
)
def test_rows_html_is_the_cell_by_cell_rendering(cells, long):
    frame = pd.DataFrame(cells, columns=["text", "x", "n", "flag"])
    if long and len(frame):
        frame.loc[0, "text"] = "y" * 100  # a long text column (another class)
    block = table(frame, "caption")
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    expected = env.from_string(CELL_BY_CELL).render(block=block)
    assert env.from_string(ROW_BY_ROW).render(block=block) == expected


def test_a_japanese_sentence_is_long_by_its_width_not_its_character_count():
    """45 Japanese characters are as wide as 90 Latin ones: both get room to wrap."""
    from eventstudy.report.render import LONG_TEXT, display_width

    japanese = ("推定期間の六十四日をマスクし、イベントウィンドウを共有する" * 3)[
        : LONG_TEXT // 2 + 5
    ]
    assert len(japanese) <= LONG_TEXT < display_width(japanese)
    for text, expected in ((japanese, "text long"), ("x" * (LONG_TEXT // 2 + 5), "text")):
        block = table(pd.DataFrame({"note": [text]}), "caption")
        assert block["classes"] == [expected]
    assert display_width("GC=F 終値") == 9
