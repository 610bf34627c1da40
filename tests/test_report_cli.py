"""`hocso admin add` and `hocso report` as an organizer runs them, on a real SQLite file.

The first and the last command of each test run as real processes (stdin, stdout, stderr and
the exit code of their own); those between vary only arguments and run the same `bot.cli.main`
in this process (tests.server.hocso_here), which saves a Python start-up each.
"""

import csv
import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl

from tests.report_seed import seed_file
from tests.server import hocso, hocso_here


async def test_reports_from_the_command_line(tmp_path: Path) -> None:
    await seed_file(tmp_path)
    done = hocso(tmp_path, "report", "--area", "ha-noi", "--format", "csv", "--table",
                 "khu-vuc", "--out", "-")
    assert done.returncode == 0, done.stderr
    rows = list(csv.reader(io.StringIO(done.stdout.decode("utf-8-sig"))))
    by_place = {row[0]: row for row in rows[1:]}
    assert len(by_place) == 126  # every ward and commune of Hà Nội, even with nobody yet
    assert by_place["Phường Hồng Hà"][1:6] == ["3", "2", "2", "3", "4"]
    assert by_place["Phường Ba Đình"][1] == "3" and by_place["Xã Sóc Sơn"][1] == "0"
    out = tmp_path / "bao-cao.xlsx"
    done = hocso_here(tmp_path, "report", "--area", "ha-noi/hong-ha", "--from", "2020-01-01",
                      "--to", "2030-12-31", "--out", str(out))
    assert done.returncode == 0, done.stderr
    book = openpyxl.load_workbook(out)
    overview = {row[0].value: row[1].value for row in book["Tổng quan"].iter_rows(min_row=2)}
    assert overview["Bài học đã xong"] == 5  # Ông Tư's old lesson is inside this long period
    assert "Theo địa bàn" in book.sheetnames and "Danh sách người học" not in book.sheetnames
    assert overview.get("Người dân đã đăng ký") == 3
    days = [row[0] for row in book["Bài học xong theo ngày"].iter_rows(min_row=2)]
    assert days and all(cell.is_date and cell.number_format == "dd/mm/yyyy" for cell in days)
    # A commune by its own id or its name; every table as CSV files in a zip.
    for area in ("hong-ha", "Phường Hồng Hà", "hong ha"):
        done = hocso_here(tmp_path, "report", "--area", area, "--format", "csv", "--table",
                          "tong-quan", "--out", "-")
        assert done.returncode == 0, done.stderr
        assert ["Người dân đã đăng ký", "3"] in list(csv.reader(io.StringIO(
            done.stdout.decode("utf-8-sig"))))
    out = tmp_path / "bao-cao.zip"
    done = hocso_here(tmp_path, "report", "--area", "ba-dinh", "--format", "zip", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert len(zipfile.ZipFile(out).namelist()) == 9
    for wrong, message in ((["--area", "ha-noi/khong-co"], b"no area"),
                           (["--format", "csv"], b"--format zip"),
                           (["--area", "hong-haa"],
                            "the closest: ha-noi/hong-ha (Phường Hồng Hà)".encode()),
                           (["--from", "2026-12-31", "--to", "2026-01-01"], b"--from"),
                           (["--table", "bang-la"], b"no table")):
        run = hocso if wrong[0] == "--table" else hocso_here  # the last one a real process
        done = run(tmp_path, "report", *wrong, "--out", "-")
        assert done.returncode == 1 and message in done.stderr, done.stderr


def test_adding_organizer_accounts(tmp_path: Path) -> None:
    add = ("admin", "add", "--login", "lan", "--name", "Nguyễn Thị Lan", "--password-stdin")
    done = hocso(tmp_path, *add, "--area", "ha-noi/hong-ha", stdin="mat-khau-that-dai\n")
    assert done.returncode == 0 and b"added organizer 'lan'" in done.stdout, done.stderr
    done = hocso_here(tmp_path, *add, "--area", "ha-noi", stdin="mat-khau-khac-nua\n")
    assert done.returncode == 1 and b"taken" in done.stderr
    done = hocso_here(tmp_path, *add[:3], "hoa", *add[4:], "--area", "ha-noi", stdin="ngan\n")
    assert done.returncode == 1 and b"10 characters" in done.stderr
    done = hocso_here(tmp_path, *add[:3], "hoa", *add[4:], "--area", "sao-hoa", stdin="x" * 12)
    assert done.returncode == 1 and b"no area 'sao-hoa'" in done.stderr
    # Only "ha-noi" was suggested before, whatever was typed.
    done = hocso_here(tmp_path, *add[:3], "hoa", *add[4:], "--area", "hong-hai", stdin="x" * 12)
    assert "the closest: ha-noi/hong-ha (Phường Hồng Hà)".encode() in done.stderr
    done = hocso_here(tmp_path, *add[:3], "hoa", *add[4:], "--area", "tdp-1", stdin="x" * 12)
    assert done.returncode == 1 and b"'tdp-1' names several areas" in done.stderr
    assert "ha-noi/hong-ha/tdp-1 (Tổ dân phố số 1, Phường Hồng Hà)".encode() in done.stderr
    done = hocso_here(tmp_path, *add[:3], "hoa", *add[4:], "--area", "ba dinh", stdin="x" * 12)
    assert done.returncode == 0, done.stderr
    assert "for ha-noi/ba-dinh (Phường Ba Đình)".encode() in done.stdout
    for action, stdin, said in (("password", "mat-khau-moi-hon\n", b"new password for 'lan'"),
                                ("unlock", "", b"'lan' may try again"),
                                ("remove", "", b"removed 'lan'")):
        done = hocso_here(tmp_path, "admin", action, "--login", "lan", "--password-stdin",
                          stdin=stdin)
        assert done.returncode == 0 and said in done.stdout, done.stderr
    done = hocso(tmp_path, "admin", "remove", "--login", "lan")
    assert done.returncode == 1 and b"no account 'lan'" in done.stderr


def test_a_password_never_typed_ends_its_prompt_s_line(tmp_path: Path) -> None:
    """Found in a try-out: input ending at the password prompt left the next message on the
    prompt's line (a traceback there). In a session of its own, with no terminal to ask."""
    hocso(tmp_path, "db", "upgrade")
    env = {**os.environ, "HOCSO_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    done = subprocess.run([sys.executable, "-m", "bot", "admin", "add", "--login", "lan",
                           "--name", "Nguyễn Thị Lan", "--area", "ha-noi/hong-ha"],
                          input=b"", env=env, capture_output=True, check=False,
                          start_new_session=True)
    assert done.returncode == 1
    assert b"characters or more): \nnot done: no password was typed\n" in done.stderr
