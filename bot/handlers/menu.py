"""The welcome, the main menu and a course's list of lessons."""

from bot.handlers import payloads
from bot.handlers.context import Context, Rows
from bot.lessons.model import Course


def menu_rows(ctx: Context) -> Rows:
    """The main menu's buttons: every course, the mentor, then resume, progress and help."""
    rows = [[ctx.button("button_course", payloads.course(course.id), title=course.title)]
            for course in ctx.resident_courses()]
    rows.append([ctx.button("button_my_mentor", payloads.MY_MENTOR)])
    rows.append([ctx.button("button_resume", payloads.RESUME)])
    rows.append([ctx.button("button_progress", payloads.PROGRESS)])
    rows.append([ctx.button("button_help", payloads.HELP)])
    return rows


def welcome(ctx: Context) -> None:
    """Greet: say plainly that this is an automated tutor, then show the menu."""
    key = "welcome" if ctx.turn.learner.is_new else "welcome_back"
    # Alone: a message without buttons is what carries Telegram's lasting keyboard.
    ctx.say(ctx.text(key, name=ctx.display_name), alone=True)
    show_menu(ctx)


def show_menu(ctx: Context, intro: str | None = None) -> None:
    """Show the main menu; a lesson in progress keeps its place for resume."""
    ctx.say(intro or ctx.text("menu"), menu_rows(ctx))


async def show_course(ctx: Context, course: Course) -> None:
    """List a course's lessons, marking those already finished."""
    done = {score.lesson_id for score in await ctx.turn.lesson_scores()
            if score.course_id == course.id}
    rows = [[ctx.button("button_lesson", payloads.lesson(course.id, lesson.id),
                        title=lesson.title, done=lesson.id in done)]
            for lesson in course.lessons]
    rows.append(ctx.menu_row())
    ctx.say(ctx.text("course", title=course.title, summary=course.summary,
                     done=len(done & {lesson.id for lesson in course.lessons}),
                     total=len(course.lessons)), rows)

