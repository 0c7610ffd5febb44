"""Saving a workbook with its cells written as text.

openpyxl writes each cell through lxml's incremental writer, an element at a time (about 7 µs a
cell: 0.3 s for the 44,000 cells of a province's 按单位 sheet). Here everything of a worksheet
but its rows is still openpyxl's (columns, views, merges, page setup, print titles …); the rows
are formatted as text, byte for byte what openpyxl writes (inline strings, style indexes, row
dimensions: tests/test_reports.py compares the two), and put in their place. A sheet with a
cell of a kind written here (formula, date, rich text, comment, hyperlink) is left to openpyxl
whole, as are write-only workbooks.
"""
import datetime
from collections import defaultdict
from io import BytesIO
from zipfile import ZIP_DEFLATED, ZipFile

from openpyxl.cell.cell import ERROR_CODES
from openpyxl.compat import safe_string
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

EMPTY_SHEET_DATA = b"<sheetData></sheetData>"
# What lxml escapes in text and in attribute values; it writes every non-ASCII character as a
# character reference (openpyxl's files have them so), hence .encode("ascii", "xmlcharrefreplace").
TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
ATTRIBUTE_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;",
                                   "\r": "&#13;", "\n": "&#10;", "\t": "&#9;"})
TYPES = {"s": "inlineStr", "n": "n", "b": "b", "e": "e"}  # data_type: the t attribute written


class NotPlain(Exception):
    """A cell this module does not write: the sheet is left to openpyxl."""


def workbook_bytes(workbook):
    """The .xlsx file of the workbook, as `workbook.save(…)` makes it."""
    if workbook.read_only:
        raise TypeError("Workbook is read-only")
    if workbook.write_only and not workbook.worksheets:
        workbook.create_sheet()
    buffer = BytesIO()
    workbook.properties.modified = datetime.datetime.now(tz=datetime.timezone.utc).replace(tzinfo=None)
    with ZipFile(buffer, "w", ZIP_DEFLATED, allowZip64=True) as archive:
        _ExcelWriter(workbook, archive).save()
    return buffer.getvalue()


class _ExcelWriter(ExcelWriter):
    def write_worksheet(self, ws):
        rows = None
        if not self.workbook.write_only and isinstance(ws, Worksheet):
            try:
                rows = sheet_data(ws)
            except NotPlain:
                pass
        if rows is None:
            if getattr(ws, "value_rows", None):
                raise TypeError("a sheet with value rows holds a cell only openpyxl writes")
            return super().write_worksheet(ws)
        # ExcelWriter.write_worksheet, with the worksheet kept in memory.
        ws._drawing = SpreadsheetDrawing()
        ws._drawing.charts = ws._charts
        ws._drawing.images = ws._images
        writer = _RowlessWriter(ws, out=BytesIO())
        writer.write()
        ws._rels = writer._rels
        xml = writer.read()
        if xml.count(EMPTY_SHEET_DATA) != 1:
            raise AssertionError("openpyxl wrote the worksheet otherwise than expected")
        self._archive.writestr(ws.path[1:], xml.replace(EMPTY_SHEET_DATA, b"<sheetData>" + rows + b"</sheetData>"))
        self.manifest.append(ws)


class _RowlessWriter(WorksheetWriter):
    """Everything of the worksheet but its rows: an empty sheetData for them to go in."""

    def write_rows(self):
        xf = self.xf.send(True)
        with xf.element("sheetData"):
            pass
        self.xf.send(None)


def sheet_data(ws):
    """The inside of the worksheet's <sheetData> as openpyxl writes it (WorksheetWriter.rows
    and write_row, cell._writer.lxml_write_cell), value rows (lwpwa.reports.xlsx.put_rows)
    included; NotPlain for a cell of another kind."""
    styles = ws.parent._cell_styles
    dimensions = ws.row_dimensions
    value_rows = getattr(ws, "value_rows", {})
    rows = defaultdict(list)
    for key, cell in sorted(ws._cells.items()):
        rows[key[0]].append(cell)
    for row in (dimensions.keys() | value_rows.keys()) - rows.keys():
        rows[row] = []
    style_ids = {}  # a style array's bytes: its index in the workbook's cell styles, or None (no style)

    def style_id(style):
        if style is None:
            return None
        packed = style.tobytes()
        if packed not in style_ids:
            style_ids[packed] = styles.add(style) if any(style) else None
        return style_ids[packed]

    letters = {}
    column_heads = {}  # id of a value row's style list: per column (letter, style id, the head of a number)
    out = []
    for row, cells in sorted(rows.items()):
        attributes = {"r": f"{row}"}
        attributes.update(dimensions.get(row, {}))
        out.append("<row" + "".join(f' {name}="{str(value).translate(ATTRIBUTE_ESCAPES)}"'
                                    for name, value in attributes.items()) + ">")
        if row in value_rows:
            if any(cell._value is not None or style_id(cell._style) is not None for cell in cells):
                raise ValueError(f"row {row} has both cells and values")
            cells = ()  # empty cells that reading the sheet made (ws.iter_rows, ws.cell)
            values, arrays = value_rows[row]
            heads = column_heads.get(id(arrays))
            if heads is None:  # what each column's cells begin with, around the row number
                heads = column_heads[id(arrays)] = [
                    (get_column_letter(column), style_id(style), f'" s="{style_id(style)}" t="n"><v>')
                    for column, style in enumerate(arrays, start=1)]
            for value, (letter, number, number_head) in zip(values, heads):
                if type(value) is int and -10**16 < value < 10**16 and number is not None:
                    out.append(f'<c r="{letter}{row}{number_head}{value}</v></c>')  # most of them
                elif value is not None or number is not None:
                    out.append(_cell(f"{letter}{row}", number, value_type(value), value))
        for cell in cells:
            if cell._comment is not None or cell.hyperlink is not None:
                raise NotPlain
            number = style_id(cell._style)
            if cell._value is None and number is None:
                continue  # as openpyxl: a cell with neither value nor style is not written
            column = cell.column
            letter = letters.get(column) or letters.setdefault(column, get_column_letter(column))
            out.append(_cell(f"{letter}{row}", number, cell.data_type, cell._value))
        out.append("</row>")
    return "".join(out).encode("ascii", "xmlcharrefreplace")


def value_type(value):
    """The data type openpyxl's cell gives a value that put() wrote (text that looks like a
    formula is kept as text)."""
    if isinstance(value, str):
        return "e" if value in ERROR_CODES else "s"
    return "b" if isinstance(value, bool) else "n"


def _cell(reference, style_id, data_type, value):
    kind = TYPES.get(data_type)
    if kind is None:
        raise NotPlain  # a formula, a date
    head = f'<c r="{reference}"' + ("" if style_id is None else f' s="{style_id}"') + f' t="{kind}">'
    if value is None or value == "":
        return head + "</c>"
    if kind == "inlineStr":
        if not isinstance(value, str):
            raise NotPlain  # rich text
        space = ' xml:space="preserve"' if value != value.strip() else ""
        return f"{head}<is><t{space}>{value.translate(TEXT_ESCAPES)}</t></is></c>"
    if type(value) is int and -10**16 < value < 10**16:
        return f"{head}<v>{value}</v></c>"  # what safe_string's "%.16g" gives
    if isinstance(value, (int, float)):
        return f"{head}<v>{safe_string(value)}</v></c>"
    if isinstance(value, str):  # an error code, "#N/A"
        return f"{head}<v>{value.translate(TEXT_ESCAPES)}</v></c>"
    raise NotPlain
