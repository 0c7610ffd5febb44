"""Writing cells safely and legibly: text is never a formula, borders, widths, A4 pages that
print at full size (print titles, page numbers, row heights stored from the wrapped text).

Long sheets (a province's 按单位 sheet: 2,000 units × 22 columns) keep their body rows as values
(`put_rows` on a `ValueSheet`) instead of an openpyxl cell each, and `to_bytes` writes every
sheet's cells as text (lwpwa/reports/sheet_xml.py) — the same file `workbook.save` writes.
"""
import math
import unicodedata

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from . import sheet_xml

FORMULA_STARTS = ("=", "+", "-", "@")
THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="center")
CENTER = Alignment(wrap_text=True, vertical="center", horizontal="center")
FONT = Font(name="宋体", size=11)
BOLD = Font(name="宋体", size=11, bold=True)
TITLE = Font(name="方正小标宋简体", size=16, bold=True)


def clean_text(value):
    """Second line of defence: stored text is clean (lwpwa.text), but a cell never holds what a
    spreadsheet cannot read (control characters, lone surrogates)."""
    return ILLEGAL_CHARACTERS_RE.sub("", value).encode("utf-8", "replace").decode("utf-8")


def put(ws, row, column, value, *, font=FONT, align=WRAP, box=False):
    """Write one cell (a new one: whatever stood there before is replaced, style and all).
    Text that a spreadsheet could take for a formula stays text."""
    if isinstance(value, str):
        value = clean_text(value)
    cell = Cell(ws, row=row, column=column, value=value, style_array=_style(ws, font, align, box))
    ws._add_cell(cell)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell.data_type = "s"  # openpyxl would otherwise store "=…" as a formula
        cell.quotePrefix = True
    return cell


def _style(ws, font, align, box):
    """The style indexes of a font, alignment and border. openpyxl hashes each style
    object anew on every assignment (about 25 µs a cell, most of a province's 按单位 sheet); the
    combination's indexes are the same for every cell of a workbook, so they are worked out once
    per workbook and copied after that."""
    known = ws.parent.__dict__.setdefault("_lwpwa_styles", {})
    key = (id(font), id(align), box)  # hashing a Font costs what assigning it does
    found = known.get(key)
    if found is None:
        probe = Cell(ws)  # never added to the sheet
        probe.font = font
        probe.alignment = align
        if box:
            probe.border = BOX
        # The objects stay referenced beside their indexes, so their ids are never reused.
        found = known[key] = (font, align, probe._style)
    return found[2]  # a Cell copies the array it is given


class ValueSheet(Worksheet):
    """A worksheet whose body rows may be kept as values (`put_rows`) instead of a cell object
    each. A province's 按单位 sheet is 44,000 cells: as openpyxl cells they took 0.14 s to make,
    and about as long again in the garbage collections their number set off (each walks the
    process's quarter of a million objects). The file is the same: `to_bytes` writes a value
    row as `put` would have written each cell; `cell_values` reads them back; the sheet's
    bounds (max_row, its <dimension>) count them. Make one with `add_value_sheet`."""

    def __init__(self, parent, title=None):
        super().__init__(parent, title)
        self.value_rows = {}  # row: ([value of each column from A], [its style array])

    def _bounds(self):
        """(min_row, min_column, max_row, max_column) of the cells and value rows, or None."""
        rows = {row for row, _column in self._cells} | set(self.value_rows)
        if not rows:
            return None
        columns = {column for _row, column in self._cells}
        if self.value_rows:
            columns |= {1, max(len(values) for values, _styles in self.value_rows.values())}
        return min(rows), min(columns), max(rows), max(columns)

    @property
    def min_row(self):
        return (self._bounds() or (1,))[0]

    @property
    def min_column(self):
        return (self._bounds() or (1, 1))[1]

    @property
    def max_row(self):
        return (self._bounds() or (1, 1, 1))[2]

    @property
    def max_column(self):
        return (self._bounds() or (1, 1, 1, 1))[3]

    def calculate_dimension(self):
        bounds = self._bounds()
        if bounds is None:
            return "A1:A1"
        min_row, min_column, max_row, max_column = bounds
        return f"{get_column_letter(min_column)}{min_row}:{get_column_letter(max_column)}{max_row}"


def add_value_sheet(workbook, title):
    ws = ValueSheet(workbook, title)
    workbook._add_sheet(ws)
    return ws


def put_rows(ws, first_row, rows, styles):
    """Rows of values from `first_row` down, as `put` would write each cell: column j styled
    by styles[j] (put's font, align and box, as a dict). Text is cleaned and text that looks
    like a formula stays text, as `put` does; a value is text, a number, a bool or None."""
    arrays = [_style(ws, style.get("font", FONT), style.get("align", WRAP), style.get("box", False))
              for style in styles]
    quoted = {}  # a column's style with quotePrefix, for text starting like a formula
    taken = {row for row, _column in ws._cells} | set(ws.value_rows)
    for row, values in enumerate(rows, start=first_row):
        if row in taken:
            raise ValueError(f"row {row} has cells already")
        values = list(values)
        own = arrays
        for index, value in enumerate(values):
            if isinstance(value, str):
                value = values[index] = clean_text(value)[:32767]
                if value.startswith(FORMULA_STARTS):
                    if own is arrays:
                        own = list(arrays)
                    if index not in quoted:
                        quoted[index] = StyleArray(arrays[index])
                        quoted[index].quotePrefix = 1
                    own[index] = quoted[index]
            elif value is not None and not isinstance(value, (int, float)):
                raise TypeError(f"put_rows writes text, numbers and bools, not {value!r}")
        ws.value_rows[row] = (values, own)


def cell_values(ws):
    """{(row, column): value} of every cell and value row of a worksheet with a value."""
    found = {key: cell.value for key, cell in ws._cells.items()}
    for row, (values, _styles) in getattr(ws, "value_rows", {}).items():
        found.update(((row, column), value) for column, value in enumerate(values, start=1))
    return found


def merge(ws, row, first_column, last_column, value=None, **style):
    cell = put(ws, row, first_column, value, **style)
    if last_column > first_column:
        ws.merge_cells(start_row=row, start_column=first_column, end_row=row, end_column=last_column)
        if style.get("box"):
            for column in range(first_column + 1, last_column + 1):
                ws.cell(row=row, column=column).border = BOX
    return cell


def set_widths(ws, widths):
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width


def landscape_a4(ws):
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def paged_a4(ws, *, header_rows=None, label_columns=None, header_text=None, footer_left=None,
             landscape=True, scale=100):
    """A4 pages at `scale` % (never shrunk to fit): the rows and columns named repeat on every
    page (print titles), `header_text` heads each page, 第 N 页 共 M 页 at its foot."""
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.scale = scale
    ws.sheet_properties.pageSetUpPr.fitToPage = False
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.page_margins.header = ws.page_margins.footer = 0.25
    ws.print_options.horizontalCentered = True
    if header_rows:
        ws.print_title_rows = header_rows
    if label_columns:
        ws.print_title_cols = label_columns
    if header_text:
        ws.oddHeader.left.text = header_text.replace("&", "&&")
        ws.oddHeader.left.size = 10
        ws.oddHeader.left.font = "宋体,Regular"
    ws.oddFooter.center.text = "第 &P 页 共 &N 页"
    ws.oddFooter.center.size = 10
    ws.oddFooter.center.font = "宋体,Regular"
    if footer_left:
        ws.oddFooter.left.text = footer_left.replace("&", "&&")
        ws.oddFooter.left.size = 9
        ws.oddFooter.left.font = "宋体,Regular"


def text_width(text):
    """Width in character cells (a Chinese character is two, as column widths count them)."""
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def wrapped_lines(text, width):
    """Lines a wrapped cell of `width` character cells needs for `text` (slightly pessimistic:
    spreadsheets break words, we count characters)."""
    usable = max(width - 2, 1)
    return sum(max(1, math.ceil(text_width(line) / usable)) for line in str(text).split("\n"))


def fit_row_heights(ws, first_row, last_row, point_size=11, minimum=None):
    """Store each row's height from its wrapped text: LibreOffice and WPS do not autofit rows
    that openpyxl wrote, so without a height wrapped text overlaps the next row. A merged cell
    counts with the width of all its columns."""
    widths = {}
    for letter, dimension in ws.column_dimensions.items():
        widths[letter] = dimension.width or 8.43
    spans = {}
    for merged in ws.merged_cells.ranges:
        width = sum(widths.get(get_column_letter(c), 8.43) for c in range(merged.min_col, merged.max_col + 1))
        spans[(merged.min_row, merged.min_col)] = width
    lines = dict.fromkeys(range(first_row, last_row + 1), 1)

    def width_of(row, column):
        return spans.get((row, column)) or widths.get(get_column_letter(column), 8.43)

    # One pass over the cells (ws[row] would count the sheet's columns over every cell, each time).
    for (row, column), cell in ws._cells.items():
        value = cell._value
        if row in lines and value is not None and value != "":
            lines[row] = max(lines[row], wrapped_lines(value, width_of(row, column)))
    # Value rows: a non-negative whole number shorter than its column is one line.
    limits = {}
    for row, (values, _styles) in getattr(ws, "value_rows", {}).items():
        if row not in lines:
            continue
        for column, value in enumerate(values, start=1):
            if type(value) is int:
                limit = limits.get(column)
                if limit is None:
                    limit = limits[column] = 10 ** max(int(width_of(row, column)) - 2, 0)
                if 0 <= value < limit:
                    continue
            if value is not None and value != "":
                lines[row] = max(lines[row], wrapped_lines(value, width_of(row, column)))
    line_height = point_size * 1.45
    for row, count in lines.items():
        ws.row_dimensions[row].height = max(count * line_height + 6, minimum or 0)


def to_bytes(workbook):
    """The workbook as an .xlsx file: what `workbook.save` writes, value rows included."""
    return sheet_xml.workbook_bytes(workbook)
