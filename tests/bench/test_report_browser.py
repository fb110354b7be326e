"""report.html in a real headless Chromium: every chart lays out, draws, and shows in a screenshot.

Skips when Chromium is not installed (Debian: ``apt-get install chromium``; .ci/run installs it
under CI=true).
"""
import html
import json
import re
import shutil
import subprocess

import numpy as np
import pytest

from warpbench.bench.report import write_report
from warpbench.bench.report.charts import COLORS, ROOF_COLOR
from warpbench.kernels import get
from tests.bench.test_report import sample_rows, sample_tuning

CHROMIUM = next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (Debian: apt-get install chromium)")

#: Runs in the page once it has loaded: each chart's box on the page and how many of its SVG
#: shapes have a non-empty bounding box, written into the DOM for --dump-dom to print.
PROBE = """<script>
window.addEventListener("load", () => {
  const charts = [...document.querySelectorAll("figure.chart")].map(figure => {
    const svg = figure.querySelector("svg"), box = svg.getBoundingClientRect();
    const drawn = [...svg.querySelectorAll("path, rect, text, use")].filter(shape => {
      const b = shape.getBBox(); return b.width > 0 || b.height > 0; }).length;
    return {name: figure.dataset.chart, top: box.top + window.scrollY, left: box.left, width: box.width,
            height: box.height, drawn};
  });
  const out = document.createElement("pre");
  out.id = "render-check";
  out.textContent = JSON.stringify(charts);
  document.body.appendChild(out);
});
</script>"""


def chromium(profile, *args) -> subprocess.CompletedProcess:
    """Headless Chromium with a throw-away profile (--no-sandbox: CI containers run as root)."""
    return subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                           "--force-device-scale-factor=1", f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=180)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory, emu, cpu):
    """The report of the sample rows, with a fixture tuning database, and what Chromium made of it:
    (chart boxes from the DOM, screenshot pixels as an RGB array)."""
    from PIL import Image
    folder = tmp_path_factory.mktemp("report")
    tuning = sample_tuning(folder, emu, ["transpose_padded"])
    paths = write_report(folder, {}, sample_rows(), {}, devices=(emu, cpu),
                         specs=[get("sgemm_smem"), get("softmax_warp_row")], tuning=tuning)
    probed = folder / "probed.html"
    probed.write_text(paths[2].read_text().replace("</body>", f"{PROBE}</body>"))
    dom = chromium(folder / "profile", "--virtual-time-budget=5000", "--dump-dom", probed.as_uri())
    found = re.search(r'<pre id="render-check">(.*?)</pre>', dom.stdout, re.S)
    assert found, f"chromium printed no render check: {dom.stderr[-2000:]}"
    charts = json.loads(html.unescape(found.group(1)))
    height = int(max(c["top"] + c["height"] for c in charts)) + 50
    shot = folder / "page.png"
    run = chromium(folder / "profile", f"--window-size=1200,{height}", f"--screenshot={shot}", paths[2].as_uri())
    assert shot.exists(), f"no screenshot: {run.stderr[-2000:]}"
    return charts, np.asarray(Image.open(shot).convert("RGB")).astype(int)


def test_every_chart_lays_out_and_draws(rendered):
    charts, _ = rendered
    assert [c["name"] for c in charts] == ["roofline-emu", "roofline-cpu", "gflops", "gbs", "speedup",
                                           "tuning-speedup-emu", "tuning-emu-transpose_padded-heatmap",
                                           "tuning-emu-transpose_padded-occupancy"]
    for chart in charts:
        assert chart["width"] > 200 and chart["height"] > 100, chart
        assert chart["drawn"] > 20, chart


def test_the_screenshot_is_not_blank_where_a_chart_is(rendered):
    charts, pixels = rendered
    for chart in charts:
        top, left = int(chart["top"]), int(chart["left"])
        region = pixels[top:top + int(chart["height"]), left:left + int(chart["width"])]
        inked = (region.sum(axis=2) < 3 * 200).mean()
        assert 0.01 < inked < 0.9, f"{chart['name']}: {inked:.1%} of its area is drawn"


def test_bar_and_roof_colours_reach_the_screen(rendered):
    _, pixels = rendered
    for name, color in (("hostcode bars", COLORS["hostcode"]), ("roofline", ROOF_COLOR)):
        rgb = np.array([int(color[i:i + 2], 16) for i in (1, 3, 5)])
        matching = (np.abs(pixels - rgb).max(axis=2) <= 8).sum()
        assert matching > 500, f"{name} ({color}): {matching} pixels"
