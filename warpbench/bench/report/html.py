"""report.html: one self-contained page (inline CSS and SVG, no scripts, no network)."""
from __future__ import annotations

import html
import re

from warpbench.bench.report.document import Chart, Section, Table, Text

STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 1100px; padding: 0 1em; color: #222; }
h1 { font-size: 1.6em; margin-bottom: .3em; }
h2 { font-size: 1.2em; border-bottom: 1px solid #ddd; padding-bottom: .2em; margin-top: 2em; }
table { border-collapse: collapse; font-size: 12px; margin: .6em 0; }
th, td { border: 1px solid #ddd; padding: 2px 6px; text-align: left; vertical-align: top; }
th { background: #f4f4f4; }
table.machine th { width: 9em; }
nav a { margin-right: .8em; white-space: nowrap; }
figure.chart { margin: .8em 0; }
figure.chart svg { max-width: 100%; height: auto; }
td.PASS { color: #1a7f37; } td.FAIL, td.ERROR, td.RACE { color: #cf222e; font-weight: bold; }
"""


def anchor(title: str) -> str:
    """A stable id for a section title."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def _cell(value, tag: str = "td") -> str:
    text = html.escape(str(value))
    status = f' class="{text}"' if text in ("PASS", "FAIL", "ERROR", "RACE") else ""
    return f"<{tag}{status}>{text}</{tag}>"


def render_table(table: Table) -> str:
    """A <table> with a header row."""
    head = "".join(_cell(h, "th") for h in table.headers)
    body = "".join(f"<tr>{''.join(_cell(c) for c in row)}</tr>" for row in table.rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_part(part) -> str:
    """One text, table or chart."""
    if isinstance(part, Text):
        return f"<p>{html.escape(part.text)}</p>"
    if isinstance(part, Table):
        return render_table(part)
    if isinstance(part, Chart):
        return (f'<figure class="chart" id="{anchor(part.name)}" data-chart="{html.escape(part.name)}" '
                f'aria-label="{html.escape(part.title)}">{part.svg}</figure>')
    raise TypeError(f"unknown report part {part!r}")


def render_html(header: dict[str, str], sections: list[Section], title: str = "warpbench report") -> str:
    """The whole page: title, machine header, a table of contents, then every section."""
    machine = "".join(f"<tr>{_cell(k, 'th')}{_cell(v)}</tr>" for k, v in header.items())
    machine = f'<table class="machine"><tbody>{machine}</tbody></table>'
    nav = " ".join(f'<a href="#{anchor(s.title)}">{html.escape(s.title)}</a>' for s in sections)
    body = "\n".join(f'<section id="{anchor(s.title)}"><h2>{html.escape(s.title)}</h2>'
                     f"{''.join(render_part(p) for p in s.parts)}</section>" for s in sections)
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(title)}</title><style>{STYLE}</style></head>\n<body><h1>{html.escape(title)}</h1>"
            f"{machine}<nav>{nav}</nav>\n{body}\n</body></html>\n")
