"""report.md: the same sections as the page, with charts as SVG files beside it."""
from __future__ import annotations

from warpbench.bench.report.document import Chart, Section, Table, Text
from warpbench.bench.report.tables import table


def render_markdown(header: dict[str, str], sections: list[Section], title: str = "warpbench report") -> str:
    """The report as markdown; a chart is an image link to ``<name>.svg`` next to the file."""
    lines = [f"# {title}\n", *(f"- {k}: {v}" for k, v in header.items()), "",
             "The same report with its charts inline: report.html.", ""]
    for section in sections:
        lines.append(f"## {section.title}\n")
        for part in section.parts:
            if isinstance(part, Text):
                lines += [part.text, ""]
            elif isinstance(part, Table):
                lines += [table(part.headers, part.rows), ""]
            elif isinstance(part, Chart):
                lines += [f"![{part.title}]({part.name}.svg)", ""]
    return "\n".join(lines)
