"""The page: self-contained, escaped, one figure per chart."""
from warpbench.bench.report.document import Chart, Section, Table, Text
from warpbench.bench.report.html import anchor, render_html


def test_the_page_escapes_text_and_inlines_charts():
    sections = [Section("Roofline: cpu <x>", [Text("a < b & c"), Table(["k", "status"], [["f<g>", "FAIL"]]),
                                               Chart("roofline-cpu", "Roofline", "<svg><rect/></svg>")])]
    page = render_html({"CPU": "Example & co"}, sections)
    assert page.startswith("<!DOCTYPE html>") and "<th>CPU</th><td>Example &amp; co</td>" in page
    assert "<p>a &lt; b &amp; c</p>" in page and "<td>f&lt;g&gt;</td>" in page and '<td class="FAIL">FAIL</td>' in page
    figure = '<figure class="chart" id="roofline-cpu" data-chart="roofline-cpu" aria-label="Roofline">'
    assert f"{figure}<svg><rect/></svg></figure>" in page
    assert f'<section id="{anchor("Roofline: cpu <x>")}">' in page and anchor("Roofline: cpu <x>") == "roofline-cpu-x"
    assert '<a href="#roofline-cpu-x">Roofline: cpu &lt;x&gt;</a>' in page
