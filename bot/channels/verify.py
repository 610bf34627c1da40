"""The public verify page of certificates: /xac-minh/<code>, its picture and printable PDF.

A page for anyone who scans a certificate's QR code: it confirms the name as the resident
allowed, the course and the date, and nothing else. Wrong codes are limited like the QR
route's (bot/channels/qr.py), so that codes cannot be found by trying them.
"""

import asyncio
from pathlib import Path

import jinja2
from aiohttp import web

from bot import certificate_picture
from bot.channels.headers import PAGE_HEADERS
from bot.channels.qr import EVERYONE
from bot.handlers.certificates import VERIFY_PATH, day, file_name, sheet, shown_name
from bot.throttle import Buckets
from bot.tutor import Tutor
from storage.certificates import Certificate
from storage.database import unreachable

CODE = "{code:[A-Za-z0-9]{1,16}}"
HERE = Path(__file__).resolve().parent


def verify_routes(tutor: Tutor) -> list[web.RouteDef]:
    """GET /xac-minh/<code> (the page), <code>.png and <code>.pdf; 404 for an unknown code.

    Once either limit of wrong codes (per address, in all) is spent, every answer is 429,
    right codes too, until it refills: otherwise 200 against 429 would tell them apart.
    """
    by_address = Buckets(per_second=10 / 60, burst=20)
    overall = Buckets(per_second=1.0, burst=120)
    templates = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"),
                                   autoescape=True)
    renderer = tutor.renderer  # the page speaks Vietnamese, like the certificates' issuers

    async def found(request: web.Request) -> Certificate | web.Response:
        answer = await _found(request)
        if isinstance(answer, web.Response):
            answer.headers.update(PAGE_HEADERS)
        return answer

    async def _found(request: web.Request) -> Certificate | web.Response:
        address = request.remote or ""
        if not (by_address.has(address) and overall.has(EVERYONE)):
            return web.Response(status=429, text="too many wrong codes; try again later")
        try:
            certificate = await tutor.certificate(request.match_info["code"])
        except Exception as error:
            if unreachable(error):
                return web.Response(status=503, text="the database cannot be reached just now")
            raise
        if certificate is None:
            by_address.charge(address)
            overall.charge(EVERYONE)
            html = templates.get_template("verify.html").render(
                title=renderer.message("verify_title"),
                message=renderer.message("verify_not_found"))
            return web.Response(status=404, text=html, content_type="text/html")
        return certificate

    def drawn(request: web.Request, certificate: Certificate) -> certificate_picture.Sheet:
        base = tutor.links.web_base or f"{request.scheme}://{request.host}"
        renderers = tutor.renderers
        return sheet(certificate, tutor.library.in_locale(certificate.locale),
                     renderers.get(certificate.locale) or renderer, base)

    async def page(request: web.Request) -> web.Response:
        certificate = await found(request)
        if isinstance(certificate, web.Response):
            return certificate
        course = tutor.library.course(certificate.course_id)
        html = templates.get_template("verify.html").render(
            title=renderer.message("verify_title"),
            message=renderer.message(
                "verify_found", name=shown_name(certificate, renderer)
                or renderer.message("verify_no_name"),
                course=course.title if course else certificate.course_id,
                day=day(certificate.issued_on)),
            code=certificate.code, pdf=renderer.message("verify_pdf"),
            png=renderer.message("verify_png"))
        return web.Response(text=html, content_type="text/html", headers={
            **PAGE_HEADERS, "Cache-Control": "no-store", "X-Robots-Tag": "noindex"})

    def file(kind: str) -> web.RouteDef:
        draw = certificate_picture.pdf if kind == "pdf" else certificate_picture.png
        mime = "application/pdf" if kind == "pdf" else "image/png"

        async def serve(request: web.Request) -> web.Response:
            certificate = await found(request)
            if isinstance(certificate, web.Response):
                return certificate
            data = await asyncio.to_thread(draw, drawn(request, certificate))
            return web.Response(body=data, content_type=mime, headers={
                # No page policy on a file: a browser's own PDF viewer is a page of its own.
                "X-Content-Type-Options": "nosniff", "Content-Disposition":
                    f'inline; filename="{file_name(certificate, kind)}"',
                "Cache-Control": "no-store", "X-Robots-Tag": "noindex"})

        return web.get(f"{VERIFY_PATH}{CODE}.{kind}", serve)

    return [file("pdf"), file("png"), web.get(f"{VERIFY_PATH}{CODE}", page)]
