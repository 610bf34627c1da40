"""The `hocso` command: serve | chat | content | db upgrade | mentor approve/list/suspend |
admin | report | ask | check-message."""

import argparse
import getpass
import json
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot.admin import commands as admin_commands

if TYPE_CHECKING:
    from bot.config import Settings

# Each command imports what it uses, in its function: importing all of them took 1.7-1.9 s of
# CPU (telegram, openpyxl, PIL, rapidfuzz...), paid by `hocso --help` and every `hocso report`
# (bench/RESULTS.md, issue 18).


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hocso", description="Học Số chatbot tutor")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="run the web chat (and channels whose tokens are set)")
    chat = commands.add_parser("chat", help="chat with the tutor in this terminal")
    chat.add_argument("--name", default=getpass.getuser(), help="learner name (default: you)")
    content = commands.add_parser("content", help="work with course files")
    content.add_argument("action", choices=["check", "images"],
                         help="check: validate every course; images: render images/src/*.svg")
    content.add_argument("--dir", type=Path, help="content folder (default HOCSO_CONTENT_DIR)")
    content.add_argument("--only", default="*",
                         help="images: render only the SVGs whose name matches, e.g. 'vneid-*'")
    db = commands.add_parser("db", help="database maintenance")
    db.add_argument("action", choices=["upgrade"])
    mentor = commands.add_parser("mentor", help="organizers: let a volunteer coach residents, "
                                 "list mentors, suspend one")
    mentor.add_argument("action", choices=["approve", "list", "suspend"],
                        help="approve (--channel, --user): coach without the course; list: "
                             "every mentor, no contact data; suspend ID: stop one from coaching")
    mentor.add_argument("id", nargs="?", type=int, help="suspend: the mentor's id in `list`")
    mentor.add_argument("--channel", help="approve: telegram, zalo, zalo_oa or web")
    mentor.add_argument("--user", help="approve: the volunteer's id on that channel")
    mentor.add_argument("--by", default="", help="who approves (kept with the approval)")
    check = commands.add_parser("check-message", help="is this a scam? JSON Lines {id, text} on "
                                "stdin, one verdict a line on stdout")
    check.add_argument("--locale", default="vi", help="the language of the flags' sentences "
                       "and lesson titles (vi, en)")
    admin_commands.add_parsers(commands)
    ask = commands.add_parser("ask", help="JSON Lines of questions on stdin -> their lessons")
    ask.add_argument("--dir", type=Path, help="content folder (default HOCSO_CONTENT_DIR)")
    return parser


def _check_messages(folder: Path, locale: str = "vi") -> int:
    """Check each {"id", "text"} line of stdin; a line that is not one gets an "error".
    Lessons are written as `hocso ask` writes them: course, lesson and title."""
    from bot.lessons.flags import FlagsError
    from bot.lessons.loader import ContentError, load_library
    from bot.lessons.render import Renderer
    from bot.listening.scam import load_checker

    try:
        checker, library = load_checker(folder), load_library(folder)
    except (FlagsError, ContentError) as error:
        print(error, file=sys.stderr)
        return 1
    library = library.in_locale(locale)
    read = Renderer(library.templates).for_anyone
    for line in sys.stdin:
        if not line.strip():
            continue
        item: object = None
        try:
            item = json.loads(line)
            if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                raise ValueError("text must be a string")
        except ValueError as error:
            ident = item.get("id") if isinstance(item, dict) else None
            print(json.dumps({"id": ident, "error": f"not a {{id, text}} line: {error}"},
                             ensure_ascii=False), flush=True)
            continue
        verdict = checker.check(item["text"], locale=locale)
        lessons = []  # and the flags' sentences as for anyone ("bạn"): authors write {{ you }}
        for ref in verdict.lessons:
            course_id, lesson_id = ref.split("/")
            course = library.course(course_id)
            lesson = course.lesson(lesson_id) if course else None
            lessons.append({"course": course_id, "lesson": lesson_id,
                            "title": lesson.title if lesson else ""})
        print(json.dumps({"id": item.get("id"), "verdict": verdict.verdict,
                          "flags": [{"code": flag.code, "explain": read(flag.explain)}
                                    for flag in verdict.flags],
                          "lessons": lessons}, ensure_ascii=False), flush=True)
    return 0


def _content_check(folder: Path) -> int:
    from bot.handlers.registry import registry
    from bot.lessons.check import check_content, content_warnings
    from bot.lessons.loader import missing_texts

    library, problems = check_content(folder, registry().samples, commands=registry().commands)
    for problem in problems:
        print(problem, file=sys.stderr)
    for warning in content_warnings(library) if library else []:
        print(f"warning: {warning}", file=sys.stderr)
    if problems or library is None:
        print(f"{len(problems)} problem(s) in {folder}", file=sys.stderr)
        return 1
    lessons = sum(len(course.lessons) for course in library.courses)
    print(f"ok: {len(library.courses)} course(s), {lessons} lesson(s) in {folder}")
    for locale, missing in missing_texts(library).items():
        # Not a problem: a learner of that language reads the Vietnamese text meanwhile.
        print(f"{locale}: {len(missing)} text(s) not translated yet, shown in Vietnamese:")
        for item in missing:
            print(f"  {item}")
    return 0


def _content_images(folder: Path, pattern: str) -> int:
    from bot.illustrations import IllustrationError, render_all

    try:
        written = render_all(folder, pattern)
    except IllustrationError as error:
        print(error, file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote {path}")
    return 0


def _ask(folder: Path) -> int:
    from bot.lessons.loader import ContentError, load_library
    from bot.listening.lines import answer
    from bot.listening.questions import QuestionIndex

    try:
        library = load_library(folder)
    except ContentError as error:
        print(error, file=sys.stderr)
        return 1
    return answer(QuestionIndex.build(library), sys.stdin, sys.stdout)


async def _db_upgrade(settings: "Settings") -> None:
    from storage.database import create_engine, upgrade

    engine = create_engine(settings.resolved_database_url())
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


async def _approve(settings: "Settings", channel: str, user: str, by: str) -> int:
    from storage.database import create_engine, upgrade
    from storage.mentors import approve_mentor

    engine = create_engine(settings.resolved_database_url())
    try:
        await upgrade(engine)
        found = await approve_mentor(engine, channel=channel, user_ref=user, by=by)
    finally:
        await engine.dispose()
    if found is None:
        print(f"no learner {user} on {channel}: they must write to Học Số first",
              file=sys.stderr)
        return 1
    print(f"approved: {channel} {user} may now coach residents")
    if not found.ward:  # approved all the same: an invitation code needs no ward
        print(f"warning: {channel} {user} has not given a ward yet, so residents' \"Tìm người "
              "kèm\" cannot find them; Học Số asks them for it when they next open "
              "/lam_nguoi_kem (their invitation codes work meanwhile)", file=sys.stderr)
    return 0


async def _mentor(settings: "Settings", args: argparse.Namespace) -> int:
    from bot.admin import mentors

    if args.action == "list":
        return await mentors.list_mentors(settings, sys.stdout)
    if args.action == "suspend":
        if args.id is None:
            print("suspend needs the mentor's id: hocso mentor suspend ID (see hocso mentor "
                  "list)", file=sys.stderr)
            return 2
        return await mentors.suspend(settings, args.id, sys.stdout, sys.stderr)
    if not args.channel or not args.user:
        print("approve needs --channel and --user", file=sys.stderr)
        return 2
    return await _approve(settings, args.channel, args.user, args.by)


async def _chat(settings: "Settings", name: str) -> None:
    from bot.app import build_core
    from bot.channels.console import run_console

    core = await build_core(settings)
    try:
        await run_console(core.tutor, learner=name)
    finally:
        await core.dispose()


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the process exit code."""
    args = _parser().parse_args(argv)
    import asyncio

    from pydantic import ValidationError

    from bot import logs
    from bot.config import Settings, StartupError

    try:
        settings = Settings()
    except ValidationError as error:
        print(f"configuration error:\n{error}", file=sys.stderr)
        return 2
    logs.configure(settings)
    if settings.template_cache_dir:
        from bot.lessons.render import cache_compiled_texts

        cache_compiled_texts(Path(settings.template_cache_dir))
    try:
        if args.command == "content":
            folder = args.dir or Path(settings.content_dir)
            if args.action == "images":
                return _content_images(folder, args.only)
            return _content_check(folder)
        if args.command == "ask":
            return _ask(args.dir or Path(settings.content_dir))
        if args.command == "check-message":
            return _check_messages(Path(settings.content_dir), args.locale)
        if args.command == "mentor":
            return asyncio.run(_mentor(settings, args))
        if args.command == "admin":
            return asyncio.run(admin_commands.manage_organizer(settings, args))
        if args.command == "report":
            return asyncio.run(admin_commands.write_report(settings, args))
        if args.command == "db":
            asyncio.run(_db_upgrade(settings))
            print("database is up to date")
        elif args.command == "chat":
            logging.getLogger().setLevel(logging.WARNING)
            try:
                asyncio.run(_chat(settings, args.name))
            except KeyboardInterrupt:  # Ctrl-C: the chat said goodbye; no traceback
                return 130
        else:
            from bot.app import serve

            asyncio.run(serve(settings))
    except StartupError as error:
        print(f"cannot start: {error}", file=sys.stderr)
        return 1
    return 0
