"""The welcome, the main menu and a course's list of lessons."""

from bot.handlers import payloads
from bot.handlers.context import Context, Rows
from bot.handlers.payloads import OpenCourse, StartLesson
from bot.handlers.registry import Command, Feature
from bot.lessons.model import Course
from bot.lessons.progress import Mode

# Sample values of the templates that show a learner's courses.
SAMPLE_COURSES = [
    {"title": "Làm quen với Học Số", "done": 2, "passed": 1, "total": 3,
     "scores": [{"lesson": "Bấm nút và gõ số", "best": 3, "total": 3, "passed": True},
                {"lesson": "Dừng lúc nào cũng được", "best": 1, "total": 3, "passed": False}],
     "next_lesson": "Hỏi khi cần", "current": "Hỏi khi cần (bước 2/8)"},
    {"title": "VNeID", "done": 1, "passed": 0, "total": 1,
     "scores": [{"lesson": "VNeID là gì?", "best": 1, "total": 3, "passed": False}],
     "next_lesson": "", "current": ""},
]


def has_lesson_to_continue(ctx: Context) -> bool:
    """Whether "Tiếp tục bài đang học" has a lesson to go back to: one in progress, or the
    one a question led away from (bot/handlers/detour.py keeps it under "detour")."""
    return ctx.position.mode != Mode.MENU or isinstance(ctx.settings.get("detour"), dict)


def menu_rows(ctx: Context) -> Rows:
    """The main menu's buttons: every course, the message check, the mentor, then resume
    (only with a lesson to continue), progress and help."""
    rows = [[ctx.button("button_course", OpenCourse(course.id), title=course.title)]
            for course in ctx.resident_courses()]
    rows.append([ctx.button("button_check", "check")])
    rows.append([ctx.button("button_my_mentor", payloads.MY_MENTOR)])
    if has_lesson_to_continue(ctx):
        rows.append([ctx.button("button_resume", payloads.RESUME)])
    rows.append([ctx.button("button_progress", payloads.PROGRESS)])
    rows.append([ctx.button("button_help", payloads.HELP)])
    return rows


def welcome(ctx: Context) -> None:
    """Greet: say plainly that this is an automated tutor, then show the menu."""
    key = "welcome" if ctx.turn.learner.is_new else "welcome_back"
    # Alone: a message without buttons is what carries Telegram's lasting keyboard.
    # "Tiếp tục bài đang học" named only when the menu below shows it.
    ctx.say(ctx.text(key, name=ctx.called_as, resume=has_lesson_to_continue(ctx), menu=True),
            alone=True)
    show_menu(ctx)


def show_menu(ctx: Context, intro: str | None = None) -> None:
    """Show the main menu; a lesson in progress keeps its place for resume."""
    ctx.say(intro or ctx.text("menu"), menu_rows(ctx))


async def show_course(ctx: Context, course: Course) -> None:
    """List a course's lessons, marking those already finished."""
    done = {score.lesson_id for score in await ctx.turn.lesson_scores()
            if score.course_id == course.id}
    rows = [[ctx.button("button_lesson", StartLesson(course.id, lesson.id),
                        title=lesson.title, done=lesson.id in done)]
            for lesson in course.lessons]
    rows.append(ctx.menu_row())
    ctx.say(ctx.text("course", title=course.title, summary=course.summary,
                     done=len(done & {lesson.id for lesson in course.lessons}),
                     total=len(course.lessons)), rows)



async def _open_course(ctx: Context, action: OpenCourse) -> bool:
    course = ctx.library.course(action.course)
    if course is None:
        return False
    await show_course(ctx, course)
    return True


FEATURE = Feature(
    # A second tap on "Tôi đồng ý" (agreed already) just shows the menu.
    commands=(Command(payloads.START, welcome, escape=True),
              Command(payloads.MENU, show_menu, escape=True),
              Command(payloads.AGREE, show_menu)),
    buttons={OpenCourse: _open_course},
    samples={
        "welcome": {"name": "Minh"}, "menu": {},
        "welcome_back": {"name": "Minh", "resume": True, "menu": True},
        "course": {"title": "Làm quen với Học Số", "summary": "Cách dùng Học Số.", "done": 1,
                   "total": 3},
        "button_menu": {}, "button_lesson": {"title": "Bài", "done": True},
        "button_course": {"title": "Làm quen với Học Số"}, "button_my_mentor": {},
        "button_help": {},
    },
)
