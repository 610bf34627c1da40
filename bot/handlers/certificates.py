"""Certificates of finished courses: issued once when every lesson is finished and every quiz
passed, sent as a picture, listed with /chung_nhan, confirmed by the public verify page."""

import asyncio
from datetime import date

from bot import certificate_picture
from bot.certificate_picture import Sheet
from bot.handlers import payloads
from bot.handlers.context import Context
from bot.handlers.events import CourseFinished, QuizFinished
from bot.handlers.menu import show_menu
from bot.handlers.places import mentee_called
from bot.handlers.registry import Command, Feature
from bot.handlers.rules import opens_on_a_phone
from bot.lessons.model import Course, Library
from bot.lessons.progress import passed
from bot.lessons.render import DEFAULT_ADDRESS, Renderer, address_name
from bot.messages import Attachment
from storage.certificates import Certificate, issue, of_learner

VERIFY_PATH = "/xac-minh/"
# Channels whose messages carry a picture file; Zalo's learners open the verify page instead.
FILE_CHANNELS = {"telegram", "web"}


def verify_url(web_base: str, code: str) -> str:
    """The public page that confirms a certificate (what its QR code holds)."""
    return f"{web_base.rstrip('/')}{VERIFY_PATH}{code}"


def sheet(certificate: Certificate, library: Library, renderer: Renderer,
          web_base: str) -> Sheet:
    """What the certificate shows, in the words of the language it was issued in."""
    course = library.course(certificate.course_id)
    return Sheet(
        title=renderer.message("certificate_title"),
        granted=renderer.message("certificate_granted"),
        name=shown_name(certificate, renderer),
        finished=renderer.message("certificate_finished"),
        course=course.title if course else certificate.course_id,
        date_line=renderer.message("certificate_date", day=day(certificate.issued_on)),
        issuer_line=renderer.message("certificate_issuer", issuer=certificate.issuer),
        code_line=renderer.message("certificate_code", code=certificate.code),
        verify_url=verify_url(web_base, certificate.code))


def shown_name(certificate: Certificate, renderer: Renderer) -> str:
    """The name as the learner allowed it, with their form of address ("Bác Nguyễn Thị Lan");
    "" when they gave no name."""
    if not certificate.name:
        return ""
    form = certificate.address or DEFAULT_ADDRESS
    titled = renderer.message("certificate_name", form=form, name=certificate.name)
    if titled == certificate.name:  # no title before the name ("bạn", "em"): the whole name
        return titled
    # "Bác Lan" for "Bà Lan" called "bác": her name's own title is not written twice.
    you = renderer.message(f"address_you_{form}")
    return renderer.message("certificate_name", form=form,
                            name=address_name(certificate.name, you))


def day(when: date) -> str:
    """A date as people in Vietnam write it."""
    return when.strftime("%d/%m/%Y")


def file_name(certificate: Certificate, kind: str) -> str:
    return f"giay-chung-nhan-{certificate.code}.{kind}"


async def _picture(ctx: Context, certificate: Certificate) -> Attachment:
    drawn = sheet(certificate, ctx.base.in_locale(certificate.locale),
                  ctx.renderers.get(certificate.locale) or ctx.renderer, ctx.links.web_base)
    # Drawing takes about a tenth of a second of CPU: off the event loop.
    data = await asyncio.to_thread(certificate_picture.png, drawn)
    return Attachment(file_name(certificate, "png"), data, "image/png")


def _link(ctx: Context, certificate: Certificate) -> str:
    """Where the certificate can be seen and printed; "" without an address a phone opens."""
    base = ctx.links.web_base
    return verify_url(base, certificate.code) if opens_on_a_phone(base) else ""


async def _send(ctx: Context, key: str, certificate: Certificate, course: str) -> None:
    attach = ctx.incoming.channel in FILE_CHANNELS
    ctx.say(ctx.text(key, course=course, code=certificate.code, link=_link(ctx, certificate),
                     picture=attach),
            attachment=await _picture(ctx, certificate) if attach else None)


def _all_passed(ctx_scores: dict[str, tuple[int, int]], course: Course) -> bool:
    """Every lesson finished, each quiz passed at least once (its best score)."""
    return all(lesson.id in ctx_scores and passed(*ctx_scores[lesson.id])
               for lesson in course.lessons)


async def _earned(ctx: Context, course: Course) -> None:
    """Issue the course's certificate if it is now earned and not yet issued; send it, and
    tell the learner's mentor."""
    scores = {score.lesson_id: (score.best_correct, score.total)
              for score in await ctx.turn.lesson_scores() if score.course_id == course.id}
    if not course.lessons or not _all_passed(scores, course):
        return
    area = ctx.area or ctx.turn.learner.area or ""
    certificate = await issue(
        ctx.turn.connection, learner_id=ctx.turn.learner.id, course_id=course.id,
        name=_allowed_name(ctx), address=str(ctx.settings.get("address") or DEFAULT_ADDRESS),
        issuer=ctx.library.areas.issuer(area) or ctx.text("certificate_issuer_default"),
        locale=ctx.locale, area_id=area)
    if certificate is None:
        return
    await _send(ctx, "certificate_earned", certificate, course.title)
    mine = await ctx.mentoring.my_mentor()
    if mine is not None:
        ctx.tell(mine.mentor_id, "alert_certificate", [[("button_mentees", payloads.MENTEES)]],
                 name=mentee_called(ctx, mine), course=course.title)


def _allowed_name(ctx: Context) -> str:
    """The name the learner chose to be called by ("" when they chose none); a learner never
    asked (before the question existed) is shown as mentors and organizers see them."""
    return str(ctx.settings["called"]) if "called" in ctx.settings else ctx.display_name


async def _course_finished(ctx: Context, event: CourseFinished) -> None:
    await _earned(ctx, event.course)


async def _quiz_finished(ctx: Context, event: QuizFinished) -> None:
    # A course finished with a quiz below the pass mark is earned later, when a retaken
    # quiz passes: CourseFinished is published only once.
    if event.passed:
        await _earned(ctx, event.course)


async def show(ctx: Context) -> None:
    """/chung_nhan: the learner's certificates with their codes, and the pictures."""
    mine = await of_learner(ctx.turn.connection, ctx.turn.learner.id)
    if not mine:
        ctx.say(ctx.text("certificates_none"))
        show_menu(ctx)
        return
    lines = []
    for certificate in mine:
        course = ctx.base.in_locale(certificate.locale).course(certificate.course_id)
        lines.append(ctx.text("certificates_line", course=course.title if course
                              else certificate.course_id, day=day(certificate.issued_on),
                              code=certificate.code, link=_link(ctx, certificate)))
    ctx.say(ctx.text("certificates_list", lines=lines,
                     picture=ctx.incoming.channel in FILE_CHANNELS), [ctx.menu_row()])
    if ctx.incoming.channel in FILE_CHANNELS:
        for certificate in mine:
            ctx.say(ctx.text("certificates_picture", code=certificate.code),
                    attachment=await _picture(ctx, certificate))


FEATURE = Feature(
    commands=(Command("certificates", show),),
    events={CourseFinished: _course_finished, QuizFinished: _quiz_finished},
    samples={
        "certificate_title": {}, "certificate_granted": {}, "certificate_finished": {},
        "certificate_name": {"form": "bac", "name": "Nguyễn Thị Lan"},
        "certificate_date": {"day": "06/12/2026"},
        "certificate_issuer": {"issuer": "Ủy ban nhân dân phường Ba Đình"},
        "certificate_code": {"code": "ABCD2345"}, "certificate_issuer_default": {},
        "certificate_earned": {"course": "Dùng ứng dụng VNeID", "code": "ABCD2345",
                               "link": "https://hocso.example.vn/xac-minh/ABCD2345",
                               "picture": True},
        "alert_certificate": {"name": "Bà Lan", "course": "Dùng ứng dụng VNeID"},
        "certificates_none": {},
        "certificates_line": {"course": "Dùng ứng dụng VNeID", "day": "06/12/2026",
                              "code": "ABCD2345",
                              "link": "https://hocso.example.vn/xac-minh/ABCD2345"},
        "certificates_list": {"lines": ["Dùng ứng dụng VNeID (06/12/2026): mã ABCD2345"],
                              "picture": True},
        "certificates_picture": {"code": "ABCD2345"},
        "verify_title": {}, "verify_found": {"name": "Bác Nguyễn Thị Lan",
                                             "course": "Dùng ứng dụng VNeID",
                                             "day": "06/12/2026"},
        "verify_no_name": {}, "verify_pdf": {}, "verify_png": {}, "verify_not_found": {},
    },
)
