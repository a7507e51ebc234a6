"""The report opened in a real browser: headless Chromium driven by Playwright.

Uses the system's Chromium (Debian: ``apt-get install -y chromium``; Playwright's own browser
download is not needed). Skips, saying why, when no browser is installed. Screenshots at a
desktop and a phone width are saved in the test's tmp directory (``pytest --basetemp`` keeps
them where you want them).
"""

from __future__ import annotations

import pytest

WIDTHS = {"desktop": (1280, 900), "phone": (375, 812)}

SECTIONS = ("findings", "claims", "gold", "odds", "association", "data", "notes", "files")


@pytest.mark.parametrize("width", list(WIDTHS))
def test_report_in_a_real_browser(browser, snapshot_report_run, tmp_path, width):
    """Every image loads, no script error, every section is there, no horizontal overflow."""
    w, h = WIDTHS[width]
    page = browser.new_page(viewport={"width": w, "height": h})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(snapshot_report_run.index.as_uri())
    page.wait_for_load_state("load")
    broken = page.evaluate(
        "() => Array.from(document.images)"
        ".filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)"
    )
    assert broken == []
    n_images = page.evaluate("() => document.images.length")
    assert n_images == len(snapshot_report_run.figures)
    assert errors == []
    for section in SECTIONS:
        assert page.locator(f"section#{section} h2").count() == 1, section
    # nothing wider than the viewport: wide tables scroll inside their own box
    scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
    assert scroll_width <= w, f"page is {scroll_width}px wide at a {w}px viewport"
    offenders = page.evaluate(
        """(w) => Array.from(document.querySelectorAll('body *'))
             .filter(e => !e.closest('.table-wrap') && e.getBoundingClientRect().right > w + 1)
             .map(e => e.tagName + '#' + e.id + '.' + e.className).slice(0, 5)""",
        w,
    )
    assert offenders == []
    # the table of contents jumps to its section
    page.click("nav.toc a[href='#data']")
    assert page.evaluate("() => location.hash") == "#data"
    shot = tmp_path / f"report_{width}.png"
    page.screenshot(path=str(shot), full_page=False)
    assert shot.stat().st_size > 10_000
    page.close()
