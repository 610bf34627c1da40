"""Write report tables as CSV (UTF-8 with a BOM, so Excel reads Vietnamese) and as XLSX."""

import csv
import io
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from bot.admin.report import Table

BOM = "\ufeff"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_SHEET_TITLE = 31  # Excel's limit


def _is_formula_like(value: object) -> bool:
    # A display name like "=HYPERLINK(...)" must stay text in a spreadsheet, never a formula.
    return isinstance(value, str) and value.startswith(FORMULA_START)


def _csv_cell(value: object) -> object:
    return "'" + str(value) if _is_formula_like(value) else value


def to_csv(tables: Iterable[Table]) -> bytes:
    """One table, or several one after another, each under its title."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    chosen = list(tables)
    for number, table in enumerate(chosen):
        if len(chosen) > 1:
            if number:
                writer.writerow([])
            writer.writerow([table.title])
        writer.writerow(table.headers)
        writer.writerows([_csv_cell(value) for value in row] for row in table.rows)
    return (BOM + out.getvalue()).encode("utf-8")


def _xlsx_cell(sheet: Any, value: object) -> object:
    if not _is_formula_like(value):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"  # shown exactly as typed, and never calculated
    return cell


def to_xlsx(tables: Iterable[Table]) -> bytes:
    """A workbook with one sheet per table, headers in bold (written in streaming mode, so a
    province's learner list does not sit in memory as cell objects)."""
    book = Workbook(write_only=True)
    for table in tables:
        sheet = book.create_sheet(table.title[:MAX_SHEET_TITLE])
        sample = table.rows[:200]
        for number, header in enumerate(table.headers, start=1):
            width = max([len(header), *(len(str(row[number - 1])) for row in sample)])
            sheet.column_dimensions[get_column_letter(number)].width = min(60, width + 2)
        headers = []
        for header in table.headers:
            cell = WriteOnlyCell(sheet, value=header)
            cell.font = Font(bold=True)
            headers.append(cell)
        sheet.append(headers)
        for row in table.rows:
            sheet.append([_xlsx_cell(sheet, value) for value in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
