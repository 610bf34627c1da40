"""`hocso admin` (dashboard accounts) and `hocso report` (the dashboard's tables as files)."""

import argparse
import getpass
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from storage.roles import ROLES

if TYPE_CHECKING:
    from bot.areas import Areas
    from bot.config import Settings
    from bot.lessons.model import Library

# The parsers are built for every `hocso` command, `--help` too: each command imports what it
# runs with, in its function (bot/cli.py says why).

ALL = "all"  # --area for every area


def add_parsers(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add `admin` and `report` to the `hocso` command line."""
    admin = commands.add_parser("admin", help="organizers: dashboard accounts")
    admin.add_argument("action", choices=["add", "password", "unlock", "remove"],
                       help="add an account; password: set a new one (ends its sessions); "
                            "unlock: forget wrong tries; remove: delete it and its sessions")
    admin.add_argument("--login", required=True, help="what they type to sign in")
    admin.add_argument("--name", help="add: shown on the dashboard")
    admin.add_argument("--area",
                       help="add: area from content/areas, as its id (ha-noi/hong-ha), a "
                            f"commune's own id (hong-ha) or its name (\"Hồng Hà\"), or '{ALL}'")
    admin.add_argument("--role", choices=ROLES, default="organizer",
                       help="organizer: numbers and the learner list; viewer: numbers only")
    admin.add_argument("--password-stdin", action="store_true",
                       help="read the password from standard input instead of asking")
    report = commands.add_parser("report", help="write the dashboard's tables as CSV or XLSX")
    report.add_argument("--area", default=ALL,
                        help=f"area id, a commune's own id or its name, or '{ALL}' (default)")
    report.add_argument("--from", dest="first", type=date.fromisoformat,
                        help="first day, YYYY-MM-DD (default: 30 days before --to)")
    report.add_argument("--to", dest="last", type=date.fromisoformat,
                        help="last day, YYYY-MM-DD (default: today in Vietnam)")
    report.add_argument("--format", choices=["csv", "xlsx", "zip"], default="xlsx",
                        help="xlsx: a sheet per table; csv: one table; zip: a CSV file per "
                             "table")
    report.add_argument("--table", default="bao-cao",
                        help="tong-quan, khu-vuc, khoa-hoc, nguoi-kem, cau-sai, theo-ngay, "
                             "nguoi-hoc, "
                             "or bao-cao: every table but the learner list (default)")
    report.add_argument("--out", type=Path, help="file to write ('-' = standard output; "
                                                 "default: a name like the dashboard's)")


def _library(settings: "Settings") -> "Library | None":
    """The content (read once: 0.3 s of CPU), or None after saying why not."""
    from bot.lessons.loader import ContentError, load_library

    try:
        return load_library(Path(settings.content_dir))
    except ContentError as error:
        print(f"content has errors:\n{error}", file=sys.stderr)
        return None


def _area(areas: "Areas", wanted: str) -> tuple[str, str] | None:
    """The area's id and label ("", "every area" for all), or None after saying why not."""
    from bot.admin.area_lookup import find_area

    if wanted == ALL:
        return "", "every area"
    found = find_area(areas, wanted)
    if found.area_id is not None:
        return found.area_id, areas.label(found.area_id)
    listed = ", ".join(f"{area_id} ({areas.label(area_id)})" for area_id in found.close)
    print(f"'{wanted}' names several areas; give one of: {listed}" if found.several else
          f"no area '{wanted}' in content/areas; the closest: {listed}", file=sys.stderr)
    return None


def _password(args: argparse.Namespace) -> str:
    from storage.organizers import MIN_PASSWORD

    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    try:
        return getpass.getpass(f"Password ({MIN_PASSWORD} characters or more): ")
    except EOFError:  # input ended before a line: getpass left its prompt's line open
        print(file=sys.stderr)
        raise ValueError("no password was typed") from None


async def manage_organizer(settings: "Settings", args: argparse.Namespace) -> int:
    """Add, re-password, unlock or remove a dashboard account (passwords are asked for)."""
    from storage.database import create_engine, upgrade
    from storage.organizers import Organizers

    area, label = "", ""
    if args.action == "add":
        if not args.name or not args.area:
            print("admin add needs --name and --area", file=sys.stderr)
            return 2
        library = _library(settings)
        found = _area(library.areas, args.area) if library else None
        if found is None:
            return 1
        area, label = found
    engine = create_engine(settings.resolved_database_url())
    try:
        await upgrade(engine)
        accounts = Organizers(engine)
        if args.action == "add":
            await accounts.add(login=args.login, name=args.name, area_id=area, role=args.role,
                               password=_password(args))
            print(f"added {args.role} '{args.login}' for {area or ALL} ({label})")
        elif args.action == "unlock":
            await accounts.unlock(args.login)
            print(f"'{args.login}' may try again")
        elif not await (accounts.remove(args.login) if args.action == "remove"
                        else accounts.set_password(args.login, _password(args))):
            print(f"no account '{args.login}'", file=sys.stderr)
            return 1
        else:
            print(f"{'removed' if args.action == 'remove' else 'new password for'} "
                  f"'{args.login}'; its sessions are ended")
    except ValueError as error:
        print(f"not done: {error}", file=sys.stderr)
        return 1
    finally:
        await engine.dispose()
    return 0


async def write_report(settings: "Settings", args: argparse.Namespace) -> int:
    """Refresh the daily tables, then write the chosen table(s) for the area and period."""
    from bot.admin.export import write
    from bot.admin.report import build, choose, file_name, tables
    from storage.clock import local_date
    from storage.database import create_engine, upgrade
    from storage.reports import Period, reports_engine
    from storage.rollup import refresh
    from storage.scope import Scope

    library = _library(settings)
    found = _area(library.areas, args.area) if library else None
    if library is None or found is None:
        return 1
    area = found[0]
    last = args.last or local_date()
    period = Period(args.first or last - timedelta(days=29), last)
    if period.first > period.last:
        print("--from must not be after --to", file=sys.stderr)
        return 1
    url = settings.resolved_database_url()
    engine = create_engine(url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()
    # As the dashboard does: a running `hocso serve` keeps answering learners meanwhile.
    reports = reports_engine(url)
    try:
        await refresh(reports, courses=library.lesson_ids())
        report = await build(reports, Scope(area), period,
                             with_learners=args.table == "nguoi-hoc", learner_limit=None)
    finally:
        await reports.dispose()
    chosen = choose(tables(report, library), args.table)
    if not chosen:
        print(f"no table '{args.table}' for this area", file=sys.stderr)
        return 1
    if args.format == "csv" and len(chosen) > 1:
        print("a CSV file holds one table: use --format zip for every table as CSV files, "
              "or --format xlsx", file=sys.stderr)
        return 1
    body = write(args.format, chosen, lambda key: file_name(key, report, "csv"))
    if str(args.out) == "-":
        sys.stdout.buffer.write(body)
        return 0
    out = args.out or Path(file_name(args.table, report, args.format))
    out.write_bytes(body)
    print(f"wrote {out}")
    return 0
