"""Writing cells safely and legibly: text is never a formula, borders, widths, A4 pages that
print at full size (print titles, page numbers, row heights stored from the wrapped text)."""
import math
from copy import copy
import unicodedata
from io import BytesIO

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter

FORMULA_STARTS = ("=", "+", "-", "@")
THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="center")
CENTER = Alignment(wrap_text=True, vertical="center", horizontal="center")
FONT = Font(name="宋体", size=11)
BOLD = Font(name="宋体", size=11, bold=True)
TITLE = Font(name="方正小标宋简体", size=16, bold=True)


def put(ws, row, column, value, *, font=FONT, align=WRAP, box=False):
    """Write one cell. Text that a spreadsheet could take for a formula stays text."""
    cell = ws.cell(row=row, column=column)
    _style(ws, cell, font, align, box)  # first: the style's copy would reset quotePrefix
    if isinstance(value, str):  # second line of defence: stored text is clean (lwpwa.text)
        value = ILLEGAL_CHARACTERS_RE.sub("", value).encode("utf-8", "replace").decode("utf-8")
    cell.value = value
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell.data_type = "s"  # openpyxl would otherwise store "=…" as a formula
        cell.quotePrefix = True
    return cell


def _style(ws, cell, font, align, box):
    """Give the cell its font, alignment and border. openpyxl hashes each style object anew on
    every assignment (about 25 µs a cell, most of a province's 按单位 sheet); the combination's
    style indexes are the same for every cell of a workbook, so they are worked out once per
    workbook and copied after that."""
    known = ws.parent.__dict__.setdefault("_lwpwa_styles", {})
    key = (id(font), id(align), box)  # hashing a Font costs what assigning it does
    found = known.get(key)
    if found is None:
        cell._style = StyleArray()  # from nothing: a rewritten cell's quotePrefix is not kept
        cell.font = font
        cell.alignment = align
        if box:
            cell.border = BOX
        # The objects stay referenced beside their indexes, so their ids are never reused.
        known[key] = (font, align, copy(cell._style))
    else:
        cell._style = copy(found[2])


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
    line_height = point_size * 1.45
    for row in range(first_row, last_row + 1):
        lines = 1
        for cell in ws[row]:
            if cell.value is None or cell.value == "":
                continue
            width = spans.get((row, cell.column), widths.get(cell.column_letter, 8.43))
            lines = max(lines, wrapped_lines(cell.value, width))
        height = lines * line_height + 6
        ws.row_dimensions[row].height = max(height, minimum or 0)


def to_bytes(workbook):
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
