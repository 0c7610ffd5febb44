"""Writing cells safely and legibly: text is never a formula, borders, widths, A4 landscape."""
from io import BytesIO

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, Side
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
    if isinstance(value, str):  # second line of defence: stored text is clean (lwpwa.text)
        value = ILLEGAL_CHARACTERS_RE.sub("", value).encode("utf-8", "replace").decode("utf-8")
    cell.value = value
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell.data_type = "s"  # openpyxl would otherwise store "=…" as a formula
        cell.quotePrefix = True
    cell.font = font
    cell.alignment = align
    if box:
        cell.border = BOX
    return cell


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


def to_bytes(workbook):
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
