"""The dashboard's pages and downloads; every one is scoped to the signed-in organizer's area."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.admin import auth, charts
from bot.admin.export import CONTENT_TYPES, shown_date
from bot.admin.report import (
    NOT_RESIDENTS,
    Report,
    part_ids,
    part_name,
    place_name,
    tables,
    written,
)
from bot.admin.worker import ReportWorker
from bot.areas import Areas
from bot.handlers.folding import fold
from bot.lessons.model import Library
from storage.clock import VIETNAM, local_date
from storage.organizers import OrganizerRecord, Organizers
from storage.reports import Counts, Period
from storage.roster import roster, roster_size
from storage.scope import Scope

HERE = Path(__file__).resolve().parent
ENGINE_KEY = web.AppKey("engine", AsyncEngine)
LIBRARY_KEY = web.AppKey("library", Library)
TEMPLATES_KEY = web.AppKey("templates", jinja2.Environment)
WORKER_KEY = web.AppKey("worker", ReportWorker)
DEFAULT_DAYS = 30
MAX_DAYS = 3 * 366
YEARS = range(2020, 2101)  # dates outside these are typing mistakes
PAGE_SIZE = 100
DEEPER_SHOWN = 20  # places further down that a search lists


def shown_number(value: Any) -> str:
    """A figure as Vietnamese write it on a page: 1.234, 88,9, 75 or 06/12/2026 (exports keep
    real numbers and dates)."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(shown_date(value))
    return written(value)


class BadRequest(Exception):
    """A query parameter that cannot be used; the message says why, in Vietnamese."""


def _render(request: web.Request, name: str, status: int = 200, **values: Any) -> web.Response:
    html = request.app[TEMPLATES_KEY].get_template(name).render(**values)
    return web.Response(text=html, status=status, content_type="text/html", charset="utf-8")


def _period(request: web.Request) -> Period:
    today = local_date()
    try:
        last = date.fromisoformat(request.query.get("to") or today.isoformat())
        first = date.fromisoformat(request.query.get("from") or
                                   (last - timedelta(days=DEFAULT_DAYS - 1)).isoformat())
    except ValueError as error:
        raise BadRequest("Ngày không hợp lệ. Bạn chọn ngày theo dạng năm-tháng-ngày.") from error
    if first.year not in YEARS or last.year not in YEARS:
        raise BadRequest("Ngày không hợp lệ. Bạn chọn ngày từ năm 2020 đến năm 2100.")
    if first > last:
        raise BadRequest("Ngày bắt đầu phải trước ngày kết thúc.")
    if (last - first).days >= MAX_DAYS:
        raise BadRequest("Mỗi báo cáo tối đa 3 năm. Bạn chọn khoảng ngày ngắn hơn.")
    return Period(first, last)


def scope_for(request: web.Request, who: OrganizerRecord) -> Scope:
    """The area asked for in the URL, if the organizer may see it: else 404, whatever the
    reason (outside their area, or no such place), so nothing is learned by guessing."""
    wanted = request.query.get("area", who.area_id)
    scope = Scope(who.area_id).narrow(wanted)
    if scope is None or (wanted and request.app[LIBRARY_KEY].areas.get(wanted) is None):
        raise web.HTTPNotFound(text="Không có địa bàn này trong phạm vi của bạn.")
    return scope


def _query(scope: Scope, period: Period, **extra: Any) -> str:
    return urlencode({"area": scope.area_id, "from": period.first.isoformat(),
                      "to": period.last.isoformat(), **extra})


def _asked(request: web.Request) -> tuple[OrganizerRecord, Scope, Period]:
    who = auth.organizer(request)
    scope = scope_for(request, who)
    try:
        return who, scope, _period(request)
    except BadRequest as error:  # a page saying so, with the way back (the area kept)
        html = request.app[TEMPLATES_KEY].get_template("notice.html").render(
            who=who, csrf=request[auth.CSRF_KEY], message=str(error),
            back=urlencode({"area": scope.area_id}))
        raise web.HTTPBadRequest(text=html, content_type="text/html") from error


def _url(request: web.Request) -> str:
    return request.app[ENGINE_KEY].url.render_as_string(hide_password=False)


@dataclass
class Parts:
    """The parts table as the page shows it: the rows (active ones, busiest first, or what
    the search found) with their links, and the parts with nothing yet, as (name, link)."""

    searched: str = ""
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    links: dict[int, str] = field(default_factory=dict)
    quiet: list[tuple[str, str]] = field(default_factory=list)
    # Places further down whose names match the search, as (name, link): a city-wide account
    # looking for "Hồng Hà" from the provinces' level found nothing.
    deeper: list[tuple[str, str]] = field(default_factory=list)


def _activity(counts: Counts) -> tuple[int, ...]:
    return (-counts.lessons, -counts.active_30, -counts.registered, -counts.mentors)


def parts_shown(report: Report, areas: Areas, rows: list[tuple[Any, ...]],
                searched: str) -> Parts:
    """What the page lists of the parts (`rows` are the export's, one per part): 126
    communes of a city with mostly zeros made the page 11,700 px long on a phone."""
    found = Parts(searched=searched)
    named = list(zip(part_ids(report, areas), rows, strict=True))
    # Marks alone ("%", "_") fold to nothing, which is in every name: they name no place.
    wanted = fold(searched)
    if searched:  # whatever the figures: a commune looked for is shown
        named = [(part, row) for part, row in named
                 if wanted and wanted in fold(str(row[0]))]
    busy = sorted(((part, row) for part, row in named
                   if searched or report.parts.get(part, Counts()) != Counts()),
                  key=lambda pair: _activity(report.parts.get(pair[0], Counts())))
    for part, row in busy:
        if areas.get(part):
            found.links[len(found.rows)] = _query(Scope(part), report.period)
        found.rows.append(row)
    shown = {part for part, _ in busy}
    found.quiet = [(str(row[0]), _query(Scope(part), report.period) if areas.get(part) else "")
                   for part, row in named if part not in shown]
    if searched:
        level = set(part_ids(report, areas)) | {report.scope.area_id}
        found.deeper = [(areas.label(area.id), _query(Scope(area.id), report.period))
                        for area in areas.by_id.values()
                        if report.scope.contains(area.id) and area.id not in level
                        and wanted and wanted in fold(area.name)][:DEEPER_SHOWN]
    return found


@auth.signed_in
async def overview(request: web.Request) -> web.Response:
    """The chosen area's numbers, charts and tables, with links one level down."""
    who, scope, period = _asked(request)
    report = await request.app[WORKER_KEY].report(_url(request), scope, period)
    library = request.app[LIBRARY_KEY]
    areas = library.areas
    shown = tables(report, library)
    busiest = sorted(((part_name(areas, report.scope, part), report.parts[part].lessons)
                      for part in part_ids(report, areas)
                      if part in report.parts and report.parts[part].lessons),
                     key=lambda pair: -pair[1])[:15]
    searched = " ".join(request.query.get("tim", "")[:64].split())
    return _render(
        request, "overview.html", who=who, report=report, tables=shown,
        chain=[place for place in areas.chain(report.scope.area_id)
               if Scope(who.area_id).contains(place.id)],
        place=place_name(areas, report.scope.area_id) if report.scope.area_id else "Tất cả",
        parts=parts_shown(report, areas, shown["khu-vuc"].rows, searched)
        if "khu-vuc" in shown else None,
        query=_query(report.scope, report.period), csrf=request[auth.CSRF_KEY],
        timeline=charts.columns_by_day(report.by_day, report.period.first, report.period.last,
                                       title="Bài học xong theo ngày"),
        by_course=charts.bars([(row[0], row[1]) for row in shown["khoa-hoc"].rows],
                              title="Bài học xong theo khóa học"),
        by_part=charts.bars(busiest, title="Bài học xong theo địa bàn"),
        as_of=report.as_of.astimezone(VIETNAM).strftime("%H:%M %d/%m/%Y"))


@auth.signed_in
async def learners(request: web.Request) -> web.Response:
    """The organizer's own area's learners, a page at a time (organizers only)."""
    who = auth.organizer(request)
    if not who.sees_learners:
        raise web.HTTPForbidden(text="Tài khoản của bạn chỉ xem được số liệu tổng hợp.")
    scope = scope_for(request, who)
    raw = request.query.get("trang", "1")[:6]
    wanted = int(raw) if raw.isascii() and raw.isdigit() and int(raw) > 0 else 1
    async with request.app[ENGINE_KEY].connect() as connection:
        size = await roster_size(connection, scope)
        page = min(wanted, max(1, -(-size // PAGE_SIZE)))  # never past the last page
        rows = await roster(connection, scope, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE,
                            leave_out=NOT_RESIDENTS)
        await connection.rollback()
    areas = request.app[LIBRARY_KEY].areas
    period = Period(local_date() - timedelta(days=DEFAULT_DAYS - 1), local_date())
    return _render(request, "learners.html", who=who, rows=rows, size=size, page=page,
                   pages=max(1, -(-size // PAGE_SIZE)), areas=areas, csrf=request[auth.CSRF_KEY],
                   place=place_name(areas, scope.area_id) if scope.area_id else "Tất cả",
                   query=_query(scope, period), area=scope.area_id, zone=VIETNAM)


@auth.signed_in
async def download(request: web.Request) -> web.Response:
    """One table, or the whole report ("bao-cao"), as CSV, XLSX, or a zip of CSV files."""
    key, kind = request.match_info["key"], request.match_info["format"]
    if kind not in CONTENT_TYPES:
        raise web.HTTPNotFound(text="Không có định dạng này.")
    if kind == "csv" and key == "bao-cao":  # a CSV file holds one table: one file each
        raise web.HTTPSeeOther(f"/admin/tai/bao-cao.zip?{request.query_string}")
    who, scope, period = _asked(request)
    if key == "nguoi-hoc" and not who.sees_learners:  # it exists: this account may not see it
        raise web.HTTPForbidden(text="Tài khoản của bạn chỉ xem được số liệu tổng hợp.")
    # Read and written in a child process: a province's learner list takes seconds.
    found = await request.app[WORKER_KEY].download(
        _url(request), request.app[LIBRARY_KEY], key, kind, scope, period,
        with_learners=key == "nguoi-hoc" and who.sees_learners)
    if found is None:
        raise web.HTTPNotFound(text="Không có bảng này.")
    body, name = found
    return web.Response(body=body, content_type=CONTENT_TYPES[kind], headers={
        "Content-Disposition": f'attachment; filename="{name}"'})


def create_admin_app(engine: AsyncEngine, library: Library,
                     worker: ReportWorker) -> web.Application:
    """The dashboard as an aiohttp sub-application, to be mounted at /admin; `engine` is for
    accounts and the learner list, `worker` reads reports and writes downloads."""
    # Request bodies are capped by the main application (16 KiB), which serves this one.
    app = web.Application(middlewares=[auth.security_headers])
    app[ENGINE_KEY] = engine
    app[LIBRARY_KEY] = library
    app[WORKER_KEY] = worker
    app[auth.ORGANIZERS_KEY] = Organizers(engine)
    app[TEMPLATES_KEY] = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
        undefined=jinja2.StrictUndefined)
    app[TEMPLATES_KEY].filters["number"] = shown_number

    async def login_page(request: web.Request) -> web.Response:
        return await auth.login_form(request, partial(_render, request))

    async def login(request: web.Request) -> web.Response:
        return await auth.login(request, partial(_render, request))

    app.add_routes([
        web.get("/", overview), web.get("/login", login_page), web.post("/login", login),
        web.post("/logout", auth.signed_in(auth.logout)), web.get("/nguoi-hoc", learners),
        web.get("/tai/{key}.{format}", download), web.static("/static", HERE / "static"),
    ])
    return app
