"""Write report tables as CSV (UTF-8 with a BOM, so Excel reads Vietnamese), one table a
file, several in a zip, and as XLSX; dates as Vietnamese write them (06/12/2026)."""

import csv
import io
import zipfile
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from bot.admin.report import Table

BOM = "\ufeff"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPES = {"csv": "text/csv", "xlsx": XLSX_TYPE, "zip": "application/zip"}
DAY, MOMENT = "%d/%m/%Y", "%d/%m/%Y %H:%M"
EXCEL_DAY, EXCEL_MOMENT = "dd/mm/yyyy", "dd/mm/yyyy hh:mm"  # Excel's codes for the same
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_SHEET_TITLE = 31  # Excel's limit


def _is_formula_like(value: object) -> bool:
    # A display name like "=HYPERLINK(...)" must stay text in a spreadsheet, never a formula.
    return isinstance(value, str) and value.startswith(FORMULA_START)


def shown_date(value: object) -> object:
    """A day or a moment (local time) as Vietnamese write it; any other value as it is."""
    if isinstance(value, datetime):
        return value.strftime(MOMENT)
    return value.strftime(DAY) if isinstance(value, date) else value


def _csv_cell(value: object) -> object:
    return "'" + str(value) if _is_formula_like(value) else shown_date(value)


def to_csv(table: Table) -> bytes:
    """One table, its headers first: a spreadsheet opens a CSV file as one table."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.headers)
    writer.writerows([_csv_cell(value) for value in row] for row in table.rows)
    return (BOM + out.getvalue()).encode("utf-8")


def to_zip(tables: Iterable[Table], name: Callable[[str], str]) -> bytes:
    """Several tables as CSV files in one zip; `name` gives a table's file name by key."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for table in tables:
            archive.writestr(name(table.key), to_csv(table))
    return out.getvalue()


def _xlsx_cell(new_cell: Any, sheet: Any, value: object) -> object:
    if isinstance(value, date):  # a real date, which sorts and filters as one
        cell = new_cell(sheet, value=value)
        cell.number_format = EXCEL_MOMENT if isinstance(value, datetime) else EXCEL_DAY
        return cell
    if not _is_formula_like(value):
        return value
    cell = new_cell(sheet, value=value)
    cell.data_type = "s"  # shown exactly as typed, and never calculated
    return cell


def to_xlsx(tables: Iterable[Table]) -> bytes:
    """A workbook with one sheet per table, headers in bold (written in streaming mode, so a
    province's learner list does not sit in memory as cell objects)."""
    # Imported here: openpyxl (and numpy, which it imports) cost 0.3-0.8 s of CPU to import,
    # paid otherwise by every CSV, every `hocso report` and every report child.
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    for table in tables:
        sheet = book.create_sheet(table.title[:MAX_SHEET_TITLE])
        sample = table.rows[:200]
        for number, header in enumerate(table.headers, start=1):
            width = max([len(header), *(len(str(shown_date(row[number - 1]))) for row in sample)])
            sheet.column_dimensions[get_column_letter(number)].width = min(60, width + 2)
        headers = []
        for header in table.headers:
            cell = WriteOnlyCell(sheet, value=header)
            cell.font = Font(bold=True)
            headers.append(cell)
        sheet.append(headers)
        for row in table.rows:
            sheet.append([_xlsx_cell(WriteOnlyCell, sheet, value) for value in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write(kind: str, tables: list[Table], name: Callable[[str], str]) -> bytes:
    """The file of `kind`: "csv" holds one table, "zip" a CSV file each (named by `name`),
    "xlsx" a sheet each."""
    if kind == "xlsx":
        return to_xlsx(tables)
    if kind == "zip":
        return to_zip(tables, name)
    if len(tables) != 1:
        raise ValueError("a CSV file holds one table")
    return to_csv(tables[0])
