"""The abstract workbook as an OpenDocument spreadsheet (.ods), written directly as XML.

Merged cells are ``table:number-columns-spanned`` / ``number-rows-spanned`` over
``table:covered-table-cell``; each (style, capitals) pair is one automatic cell style carrying its
font, so legacy-text cells keep their .VnTime/.VnTimeH fonts; runs of spaces are ``text:s``; the
meta dates are the book's and every zip entry has the fixed date, so the bytes depend on the book only.

Why not odfpy (pinned, and able to write all of the above, formulas too): the same books written
with odfpy 1.4.1 (then the zip re-dated), measured on the 63 .ods returns of the national 2023-H1
sample (``antt sample --cycles 2023-H1 --province all``), took 8.0-11.3 s where this writer takes
0.25-0.65 s (20 to 35 times slower; three runs each, on a quiet and on a loaded machine): about
+8 s of CPU on a run that takes 12-13 s of CPU in all, so that run would be some 60 % slower. And
odfpy's output depends on what was written before in the same process: it declares on each
document's root every namespace any odfpy element has used so far (a class-level dict), so the
first document of a process carries 15 xmlns declarations and the next ones 21, and a document
using one more namespace (``number:``) changes all four XML parts of every later one; in the
sample's process pool the bytes would then depend on which returns a worker happened to write first.
"""

from __future__ import annotations

import io
import re
import zipfile

from antt.make.book import FIXED_EPOCH, XBook

_ODF_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
           'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
           'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
           'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
           'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
           'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
           'xmlns:dc="http://purl.org/dc/elements/1.1/"')
_ODS_MIME = "application/vnd.oasis.opendocument.spreadsheet"
_XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
_SPACES_RUN = re.compile(r"  +|^ | $")
_TEXT_ALIGN = {"center": "center", "right": "end"}


def _xml(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _odf_text(line: str) -> str:
    """One paragraph's text: runs of spaces as <text:s/> (ODF collapses plain white space)."""
    def spaces(m: re.Match) -> str:
        n = len(m.group(0))
        if m.start() == 0 or m.end() == len(line):
            return f'<text:s text:c="{n}"/>' if n > 1 else "<text:s/>"
        return " " + (f'<text:s text:c="{n - 1}"/>' if n > 2 else "<text:s/>")
    return _SPACES_RUN.sub(spaces, _xml(line))


def write_ods(book: XBook) -> bytes:
    """The .ods bytes of ``book`` (values only: a formula is refused)."""
    cell_styles: dict[tuple[str, bool], str] = {}
    col_styles: dict[float, str] = {}
    auto: list[str] = []

    def cell_style(st: str, caps: bool) -> str:
        key = (st, caps)
        if key not in cell_styles:
            s = book.styles[st]
            name = f"ce{len(cell_styles) + 1}"
            cp = [f'style:vertical-align="{ {"center": "middle"}.get(s.valign, s.valign)}"'] if s.valign else []
            if s.border:
                cp.append('fo:border="0.5pt solid #000000"')
            if s.wrap:
                cp.append('fo:wrap-option="wrap"')
            tp = [f'fo:font-family="{_xml(book.caps_font if caps else book.font)}"', f'fo:font-size="{s.size}pt"']
            if s.bold:
                tp.append('fo:font-weight="bold"')
            if s.italic:
                tp.append('fo:font-style="italic"')
            if s.underline:
                tp.append('style:text-underline-style="solid" style:text-underline-width="auto" '
                          'style:text-underline-color="font-color"')
            pp = ""
            if s.align:
                pp = f'<style:paragraph-properties fo:text-align="{_TEXT_ALIGN.get(s.align, "start")}"/>'
            auto.append(f'<style:style style:name="{name}" style:family="table-cell">'
                        f'<style:table-cell-properties {" ".join(cp)}/>{pp}<style:text-properties {" ".join(tp)}/>'
                        f'</style:style>')
            cell_styles[key] = name
        return cell_styles[key]

    body: list[str] = []
    for sh in book.sheets:
        ncols, nrows = sh.ncols, sh.nrows
        body.append(f'<table:table table:name="{_xml(sh.name)}" table:style-name="{"ta2" if sh.hidden else "ta1"}">')
        for c in range(ncols):
            width = sh.widths.get(c, 10)
            if width not in col_styles:
                col_styles[width] = f"co{len(col_styles) + 1}"
                auto.append(f'<style:style style:name="{col_styles[width]}" style:family="table-column">'
                            f'<style:table-column-properties style:column-width="{width * 0.19:.2f}cm"/></style:style>')
            body.append(f'<table:table-column table:style-name="{col_styles[width]}"/>')
        origin = {(m[0], m[1]): m for m in sh.merges}
        covered = {(r, c) for (r1, c1, r2, c2) in sh.merges for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)
                   if (r, c) != (r1, c1)}
        for r in range(nrows):
            body.append("<table:table-row>")
            for c in range(ncols):
                if (r, c) in covered:
                    body.append("<table:covered-table-cell/>")
                    continue
                cell = sh.cells.get((r, c))
                attrs = []
                if cell is not None:
                    attrs.append(f'table:style-name="{cell_style(cell.style, cell.caps)}"')
                    if cell.formula:
                        raise ValueError("the .ods writer writes values only")
                if (r, c) in origin:
                    r1, c1, r2, c2 = origin[(r, c)]
                    attrs.append(f'table:number-columns-spanned="{c2 - c1 + 1}" table:number-rows-spanned="{r2 - r1 + 1}"')
                v = None if cell is None else cell.v
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    attrs.insert(0, f'office:value-type="float" office:value="{v}"')
                    content = f"<text:p>{v}</text:p>"
                elif isinstance(v, str) and v != "":
                    attrs.insert(0, 'office:value-type="string"')
                    content = "".join(f"<text:p>{_odf_text(line)}</text:p>" for line in v.split("\n"))
                else:
                    content = ""
                a = (" " + " ".join(attrs)) if attrs else ""
                body.append(f"<table:table-cell{a}>{content}</table:table-cell>" if content else f"<table:table-cell{a}/>")
            body.append("</table:table-row>")
        body.append("</table:table>")
    tables = ('<style:style style:name="ta1" style:family="table"><style:table-properties table:display="true"/></style:style>'
              '<style:style style:name="ta2" style:family="table"><style:table-properties table:display="false"/></style:style>')
    content = (f'{_XML_HEAD}<office:document-content {_ODF_NS} office:version="1.2">'
               f'<office:automatic-styles>{tables}{"".join(auto)}</office:automatic-styles>'
               f'<office:body><office:spreadsheet>{"".join(body)}</office:spreadsheet></office:body>'
               f'</office:document-content>')
    styles = f'{_XML_HEAD}<office:document-styles {_ODF_NS} office:version="1.2"><office:styles/></office:document-styles>'
    title = f"<dc:title>{_xml(book.title)}</dc:title>" if book.title else ""
    meta = (f'{_XML_HEAD}<office:document-meta {_ODF_NS} office:version="1.2"><office:meta>'
            f'<meta:generator>antt</meta:generator>{title}<dc:creator>{_xml(book.author)}</dc:creator>'
            f'<meta:creation-date>{book.created:%Y-%m-%dT%H:%M:%S}</meta:creation-date>'
            f'<dc:date>{book.created:%Y-%m-%dT%H:%M:%S}</dc:date></office:meta></office:document-meta>')
    manifest = (f'{_XML_HEAD}<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
                f'manifest:version="1.2">'
                f'<manifest:file-entry manifest:full-path="/" manifest:version="1.2" manifest:media-type="{_ODS_MIME}"/>'
                + "".join(f'<manifest:file-entry manifest:full-path="{n}" manifest:media-type="text/xml"/>'
                          for n in ("content.xml", "styles.xml", "meta.xml"))
                + "</manifest:manifest>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data, method in (("mimetype", _ODS_MIME, zipfile.ZIP_STORED),
                                   ("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED),
                                   ("content.xml", content, zipfile.ZIP_DEFLATED),
                                   ("styles.xml", styles, zipfile.ZIP_DEFLATED),
                                   ("meta.xml", meta, zipfile.ZIP_DEFLATED)):
            zi = zipfile.ZipInfo(name, FIXED_EPOCH)
            zi.compress_type = method
            zi.external_attr = 0o600 << 16
            z.writestr(zi, data.encode("utf-8"))
    return out.getvalue()
