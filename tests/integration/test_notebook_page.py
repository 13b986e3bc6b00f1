"""The page written beside an executed notebook (``notebook_job.export_html``): what the analyst
reads on an intranet — the outputs under the notebook's title, no code, no parameters, nothing
fetched from the internet. A small notebook made here, with outputs as a run leaves them."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from antt.notebook_job import export_html


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _notebook(path):
    nb = new_notebook(cells=[
        new_code_cell('cycle = None\nprovince = None', metadata={"tags": ["parameters"]}),
        new_code_cell('# Parameters\ncycle = "2026-H1"\nprovince = "75"\n', metadata={"tags": ["injected-parameters"]}),
        new_markdown_cell("# 02 · Khu dân cư\n\nTỷ lệ đạt chuẩn theo đơn vị."),
        new_code_cell("print('Kỳ 2026-H1')", outputs=[new_output("stream", name="stdout", text="Kỳ 2026-H1\n")]),
        new_code_cell("tables.unit_table(view, ['kdc_total'])", execution_count=3, outputs=[new_output(
            "execute_result", execution_count=3,
            data={"text/html": "<table><tr><th>Đơn vị</th></tr><tr><td>Phường Trấn Biên</td></tr></table>",
                  "text/plain": "<Styler>"})]),
    ])
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}, "version_major": 2,
                                                                            "version_minor": 0}}
    nbformat.write(nb, path)
    return path


def test_page_shows_outputs_only_and_fetches_nothing(tmp_path):
    page_path = export_html(_notebook(tmp_path / "02_khu_dan_cu.ipynb"))
    assert page_path == tmp_path / "02_khu_dan_cu.html"
    page = page_path.read_text(encoding="utf-8")
    tags = _Tags()
    tags.feed(page)
    fetched = [(t, a) for t, a in tags.tags for k, v in a.items() if k in ("src", "href") and v and
               not v.startswith("#")]
    assert fetched == []                                     # no script, style sheet or picture from elsewhere
    assert not any("http" in (a.get("src") or "") + (a.get("href") or "") for _, a in tags.tags)
    for cdn in ("require.min.js", "mathjax", "mermaid", "embed-amd.js"):
        assert cdn not in page.lower(), cdn
    assert "print(" not in page and "unit_table" not in page          # no code shown
    assert "cycle = " not in page and "# Parameters" not in page      # nor the parameters cells
    assert len(re.findall(r'class="jp-Cell jp-CodeCell', page)) == 2
    body = page[page.index("<body"):]
    assert "jp-InputPrompt" not in body and "jp-OutputPrompt" not in body     # no prompts
    assert body.index("02 · Khu dân cư") < body.index("Kỳ 2026-H1") < body.index("Phường Trấn Biên")
