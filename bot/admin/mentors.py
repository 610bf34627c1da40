"""`hocso mentor list` and `hocso mentor suspend`: organizers see their mentors and stop one."""

from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from bot.admin.export import FORMULA_START

if TYPE_CHECKING:
    from bot.config import Settings

# What `list` says of each status.
STATES = {"registering": "registering", "training": "in training", "trained": "trained",
          "approved": "approved", "suspended": "suspended"}


def _cell(text: object) -> str:
    """One field on one line; one a spreadsheet would run as a formula ("=1+1", a display name
    "=cmd|…") is kept as text, as the dashboard's exports keep it (bot/admin/export.py)."""
    cell = " ".join(str(text).split())
    return "'" + cell if cell.startswith(FORMULA_START) else cell or "-"


async def list_mentors(settings: "Settings", out: TextIO) -> int:
    """Print every mentor: id, name, ward, unit, status and mentees; no way to reach them."""
    from storage.database import create_engine, upgrade
    from storage.mentors import list_mentors as listed

    engine = create_engine(settings.resolved_database_url())
    try:
        await upgrade(engine)
        mentors = await listed(engine)
    finally:
        await engine.dispose()
    print("id\tname\tward\tunit\tstatus\tmentees", file=out)
    for mentor in mentors:
        print("\t".join(_cell(value) for value in (
            mentor.learner_id, mentor.name, mentor.ward, mentor.unit,
            STATES.get(mentor.status, mentor.status), mentor.mentees)), file=out)
    return 0


async def suspend(settings: "Settings", learner_id: int, out: TextIO, err: TextIO) -> int:
    """Stop a mentor (an id from `list`): pairings end and each resident is told kindly, codes
    stop working. `hocso mentor approve` lets them coach again."""
    from bot.handlers import payloads
    from bot.handlers.context import Writer
    from bot.lessons.loader import ContentError, load_library
    from bot.lessons.render import Renderer
    from bot.scheduler import Outside
    from storage.database import create_engine, upgrade
    from storage.mentors import suspend_mentor

    try:
        library = load_library(Path(settings.content_dir))
    except ContentError as error:
        print(error, file=err)
        return 1
    writer = Writer(library, {locale: Renderer(library.in_locale(locale).templates)
                              for locale in library.locales})
    engine = create_engine(settings.resolved_database_url())
    try:
        await upgrade(engine)
        async with engine.begin() as connection:  # the stop and its notes: one transaction
            stopped = await suspend_mentor(connection, learner_id)
            if stopped is not None:
                for mentee in stopped.mentees + stopped.requests:
                    scene = Outside(connection, writer, about=mentee)
                    scene.tell(mentee, "mentor_suspended_note",
                               [[("button_my_mentor", payloads.MY_MENTOR)]],
                               name=stopped.name, ended=mentee in stopped.mentees)
                    await scene.send()
    finally:
        await engine.dispose()
    if stopped is None:
        print(f"no mentor with id {learner_id} (see `hocso mentor list`)", file=err)
        return 1
    print(f"suspended: mentor {learner_id}; {len(stopped.mentees)} pairing(s) ended, "
          f"{len(stopped.requests)} request(s) declined, residents told", file=out)
    return 0
