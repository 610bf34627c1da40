"""Fill a fresh PostgreSQL database with learners, results and answers for the report benchmark."""

from __future__ import annotations

import argparse
import asyncio
import bisect
import itertools
import random
import re
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

from bot.config import PROJECT_ROOT
from bot.handlers.context import MENTOR_COURSE
from bot.lessons.loader import load_library
from bot.lessons.model import Course, Library
from storage.database import create_engine, upgrade

# Databases this script must never drop, whatever the URL says.
PROTECTED = {"postgres", "test", "template0", "template1"}
TABLES = ("learner", "lesson_result", "course_completion", "quiz_answer", "mentor", "pairing",
          "check_in")
CHANNELS = (("zalo", 0.6), ("telegram", 0.9), ("web", 1.0))  # cumulative shares
AREA_SHARE = 0.85  # learners who said where they live
VILLAGE_SHARE = 0.7  # of those in a commune that lists villages
MENTOR_SHARE = 0.01
TRAINED_SHARE = 0.75  # of mentors: passed the mentor course; the rest approved by an organizer
PAIRED_SHARE = 0.6  # of mentors: one active mentee
COURSES_TAKEN = {1: 0.65, 2: 0.25, 3: 0.10}  # how many resident courses a learner starts
FULL_MIDDLE, FULL_LAST = 0.7, 0.15  # chance a course is finished: before the last one, the last
MAX_ATTEMPTS = 8
BUCKETS = 100_000  # resolution of the weighted picks (communes, course sequences)
# Answers from whole attempts aim a little under --answers; quizzes left half way (answers
# without a finished attempt) make up the rest, so the total is exact.
WHOLE_ATTEMPTS_SHARE = 0.98
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô", "Dương")
MIDDLE = ("Văn", "Thị", "Minh", "Thu", "Đức", "Ngọc", "Hữu", "Thanh", "Quang", "Hải")
GIVEN = ("An", "Bình", "Hà", "Lan", "Minh", "Nam", "Hương", "Tùng", "Trang", "Dũng", "Linh",
         "Quân", "Phương", "Hùng", "Mai", "Tuấn")
UNITS = ("Đoàn Thanh niên", "Hội Liên hiệp Phụ nữ", "Hội Cựu chiến binh",
         "Tổ công nghệ số cộng đồng", "Trường THPT")


def sql_text(value: str) -> str:
    """A PostgreSQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def sql_array(values: Sequence[str]) -> str:
    """A PostgreSQL text[] literal."""
    return "ARRAY[" + ", ".join(sql_text(v) for v in values) + "]::text[]"


def sequences(library: Library, residents: list[Course]) -> list[tuple[float, tuple[int, ...]]]:
    """Every ordered choice of 1-3 distinct resident courses with its probability: earlier
    courses of the library are more popular (weighted sampling without replacement)."""
    index = {course.id: i for i, course in enumerate(library.courses)}
    weights = [1 / (1 + 0.4 * rank) for rank in range(len(residents))]
    found = []
    for taken, share in COURSES_TAKEN.items():
        for order in itertools.permutations(range(len(residents)), min(taken, len(residents))):
            chance, left = share, sum(weights)
            for rank in order:
                chance *= weights[rank] / left
                left -= weights[rank]
            found.append((chance, tuple(index[residents[rank].id] for rank in order)))
    return found


def buckets(chances: Sequence[float]) -> list[int]:
    """Map BUCKETS equal slices of [0, 1) to the item whose share of the total they fall in."""
    cumulative = list(itertools.accumulate(chances))
    total = cumulative[-1]
    return [min(bisect.bisect_right(cumulative, (b + 0.5) / BUCKETS * total), len(chances) - 1)
            for b in range(BUCKETS)]


class Generator:
    """Runs the phases on one asyncpg connection, timing each."""

    def __init__(self, connection: Any, args: argparse.Namespace, library: Library) -> None:
        self.db = connection
        self.args = args
        self.library = library
        self.rng = random.Random(args.seed)
        self.anchor = datetime.now(UTC).replace(second=0, microsecond=0)
        self.per_learner = 0  # keys of one learner's lesson rows: slot * max lessons + lesson
        self.max_lessons = 0
        self.max_quiz = 0
        self.combos = 0  # course sequences; trained mentors' are numbered after them

    @property
    def now(self) -> str:
        return f"timestamptz {sql_text(self.anchor.isoformat())}"

    async def phase(self, name: str, *statements: str) -> None:
        """Run statements in one transaction and print how long they took."""
        started = time.perf_counter()
        async with self.db.transaction():
            for statement in statements:
                await self.db.execute(statement)
        print(f"  {name:<28} {time.perf_counter() - started:7.1f} s", flush=True)

    async def scalar(self, query: str) -> Any:
        return await self.db.fetchval(query)

    # ------------------------------------------------------------------ reference data

    async def reference(self) -> None:
        """Load courses, questions, communes and course sequences into the gen schema."""
        library, rng = self.library, self.rng
        residents = [course for course in library.courses if course.id != MENTOR_COURSE]
        mentor_course = library.course(MENTOR_COURSE)
        self.max_lessons = max(len(course.lessons) for course in library.courses)
        self.max_quiz = max(len(lesson.quiz) for c in library.courses for lesson in c.lessons)
        self.per_learner = (max(COURSES_TAKEN) + 1) * self.max_lessons
        # Draws are hashes of (seed, row key): the same rows whatever order a plan reads them.
        seed = self.args.seed * 1000
        await self.db.execute(f"""
            DROP SCHEMA IF EXISTS gen CASCADE;
            CREATE SCHEMA gen;
            -- A plain SQL body, so that the planner inlines it.
            CREATE FUNCTION gen.u(k bigint, salt int) RETURNS float8
                LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
                SELECT (hashint8extended(k, {seed} + salt) & 2147483647)::float8 / 2147483648.0
            $$;
            CREATE TABLE gen.course (course_idx int PRIMARY KEY, course_id text, n_lessons int);
            CREATE TABLE gen.lesson (lesson_key int PRIMARY KEY, course_idx int, ord int,
                course_id text, lesson_id text, q int, qids text[], answers int[], nopts int[],
                pw float8[]);
            CREATE TABLE gen.commune_pick (b int PRIMARY KEY, commune text, name text,
                villages text[]);
            CREATE TABLE gen.combo (cid int, slot int, course_idx int, n_lessons int,
                full_share float8, slots int);
            CREATE TABLE gen.combo_pick (b int PRIMARY KEY, cid int);
        """)
        courses: list[tuple[int, str, int]] = []
        lessons: list[tuple[Any, ...]] = []
        for course_idx, course in enumerate(library.courses):
            courses.append((course_idx, course.id, len(course.lessons)))
            for ord_, lesson in enumerate(course.lessons, start=1):
                # Most questions are easy; about one in six is missed by many.
                hard = [rng.random() < 0.15 for _ in lesson.quiz]
                lessons.append((len(lessons) + 1, course_idx, ord_, course.id, lesson.id,
                                len(lesson.quiz), [q.id for q in lesson.quiz],
                                [q.answer for q in lesson.quiz],
                                [len(q.options) for q in lesson.quiz],
                                [rng.uniform(0.25, 0.45) if h else rng.uniform(0.03, 0.12)
                                 for h in hard]))
        await self.db.executemany("INSERT INTO gen.course VALUES ($1, $2, $3)", courses)
        await self.db.executemany(
            "INSERT INTO gen.lesson VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)", lessons)

        # Communes by size: a seeded shuffle, then Zipf-like weights (the biggest ~20x).
        province = library.areas.get(library.areas.provinces[0])
        assert province is not None, "content/areas has no province"
        communes = library.areas.children(province.id)
        ranks = list(range(len(communes)))
        rng.shuffle(ranks)
        picks = buckets([1 / (rank + 3) ** 0.8 for rank in ranks])
        await self.db.executemany("INSERT INTO gen.commune_pick VALUES ($1, $2, $3, $4)", [
            (b, communes[c].id, communes[c].name, list(communes[c].children))
            for b, c in enumerate(picks)])

        # Course sequences; trained mentors take the mentor course first (cid + count).
        found = sequences(library, residents)
        rows = []
        mentor_first = [library.courses.index(mentor_course)] if mentor_course else []
        for cid, (_, order) in enumerate(found):
            for mentor in (False, True):
                first = mentor and bool(mentor_first)
                slots = [*(mentor_first if mentor else []), *order]
                for slot, course_idx in enumerate(slots):
                    full = (1.0 if first and slot == 0 else
                            FULL_LAST if slot == len(slots) - 1 else FULL_MIDDLE)
                    rows.append((cid + (len(found) if mentor else 0), slot, course_idx,
                                 courses[course_idx][2], full, len(slots)))
        await self.db.executemany("INSERT INTO gen.combo VALUES ($1, $2, $3, $4, $5, $6)", rows)
        await self.db.executemany("INSERT INTO gen.combo_pick VALUES ($1, $2)",
                                  list(enumerate(buckets([chance for chance, _ in found]))))
        self.combos = len(found)
        await self.db.execute("ANALYZE gen.course, gen.lesson, gen.commune_pick, gen.combo, "
                              "gen.combo_pick")

    # ------------------------------------------------------------------ learners

    def person_sql(self) -> str:
        """One row per learner with every draw the later phases need."""
        count, days = self.args.learners, self.args.days
        mentor = MENTOR_SHARE / AREA_SHARE
        return f"""
        CREATE UNLOGGED TABLE gen.person AS
        SELECT b.*, cp.commune, cp.name AS commune_name,
               CASE WHEN cardinality(cp.villages) > 0 AND gen.u(b.id, 6) < {VILLAGE_SHARE}
                    THEN cp.villages[1 + floor(gen.u(b.id, 7) * cardinality(cp.villages))::int]
                    ELSE '' END AS village,
               b.has_area AND gen.u(b.id, 9) < {mentor} AS mentor,
               b.has_area AND gen.u(b.id, 9) < {mentor} AND gen.u(b.id, 10) < {TRAINED_SHARE}
                   AS trained
        FROM (
            SELECT c.id, c.created_at,
                   -- Between sign-up and now, more often recent than not.
                   c.created_at + interval '1 hour'
                       + ({self.now} - c.created_at - interval '1 hour') * sqrt(gen.u(c.id, 3))
                       AS last_active_at,
                   gen.u(c.id, 1) AS u_channel,
                   gen.u(c.id, 4) < {AREA_SHARE} AS has_area,
                   gen.u(c.id, 8) AS u_asked,
                   0.5 + gen.u(c.id, 13) AS skill,
                   4 + floor(300 * gen.u(c.id, 12) ^ 2)::int AS seq,
                   floor(gen.u(c.id, 11) * {BUCKETS})::int AS combo_bucket
            FROM (
                -- Ids in sign-up order, as a serial gives them; twice as many sign-ups a day
                -- at the end of the period as in the middle (the movement grows).
                SELECT n AS id, {self.now} - interval '1 hour'
                       - (1 - sqrt((n - 1 + gen.u(n, 2)) / {count}))
                         * (interval '{days} days' - interval '1 hour') AS created_at
                FROM generate_series(1, {count}) AS n
            ) AS c
        ) AS b
        LEFT JOIN gen.commune_pick cp
            ON b.has_area AND cp.b = floor(gen.u(b.id, 5) * {BUCKETS})::int
        ORDER BY b.id
        """

    def learner_sql(self) -> str:
        channel = " ".join(f"WHEN u_channel < {share} THEN {sql_text(name)}"
                           for name, share in CHANNELS)
        province = sql_text(self.library.areas.provinces[0])
        return f"""
        INSERT INTO learner (id, channel, user_ref, display_name, mode, course_id, lesson_id,
            step_id, question_id, quiz_correct, quiz_answered, content_version, seq,
            shown_buttons, created_at, last_active_at, state, ward,
            area_province, area_commune, area_village, area_asked_at, consented_at)
        SELECT id, CASE {channel} END, 'g' || id, 'Người học ' || id, 'menu', '', '', '', '',
               0, 0, '', seq, '', created_at, last_active_at, '',
               coalesce(commune_name, ''),
               CASE WHEN has_area THEN {province} ELSE '' END,
               coalesce(commune, ''), coalesce(village, ''),
               -- Everyone with a place was asked; of the rest most skipped, some never saw it.
               CASE WHEN has_area OR u_asked < 0.65
                    THEN created_at + (2 + 28 * gen.u(id, 14)) * interval '1 minute' END,
               created_at + interval '1 minute'  -- everyone agreed at once (reports count them)
        FROM gen.person ORDER BY id
        """

    # ------------------------------------------------------------------ results

    def lessons_sql(self) -> str:
        """Each learner's finished lessons: a prefix of each course of their sequence, spread
        over their active time in sequence order (first finish only; attempts come next)."""
        key = f"x.id::bigint * {self.per_learner} + x.slot * {self.max_lessons} + (g.ord - 1)"
        return f"""
        CREATE UNLOGGED TABLE gen.lr0 AS
        SELECT {key} AS key, x.id AS learner_id, l.lesson_key, l.q, x.skill, x.span_end,
               x.span_start + (x.span_end - x.span_start)
                   * ((x.slot + (g.ord - 1 + gen.u({key}, 14)) / x.m) / x.slots) AS first_at
        FROM (
            SELECT p.id, p.skill, c.slot, c.course_idx, c.slots,
                   p.created_at + interval '10 minutes' AS span_start,
                   -- Room before the last turn for retakes and a quiz left half way.
                   p.last_active_at - interval '40 minutes' AS span_end,
                   CASE WHEN gen.u(p.id::bigint * 8 + c.slot, 16) < c.full_share
                        THEN c.n_lessons
                        ELSE 1 + floor(gen.u(p.id::bigint * 8 + c.slot, 17)
                                       * (c.n_lessons - 1))::int END AS m
            FROM gen.person p
            JOIN gen.combo_pick cp ON cp.b = p.combo_bucket
            JOIN gen.combo c
                ON c.cid = cp.cid + CASE WHEN p.trained THEN {self.combos} ELSE 0 END
        ) AS x
        CROSS JOIN LATERAL generate_series(1, x.m) AS g(ord)
        JOIN gen.lesson l ON l.course_idx = x.course_idx AND l.ord = g.ord
        """

    def correct_sql(self, attempt: str, question: str) -> str:
        """Whether a learner got a question right in an attempt: the same expression scores
        lesson_result and writes quiz_answer, so the two agree."""
        return (f"(gen.u(r.key * 16 + {attempt}, 20 + {question}) >= "
                f"l.pw[{question} + 1] * r.skill * power(0.6::float8, ({attempt})::float8))")

    def attempts_sql(self, mean: float) -> str:
        """Attempts (geometric, given mean), the latest one's time and each one's score."""
        extra = mean - 1
        if extra > 0:
            p = extra / (1 + extra)
            attempts = (f"1 + least({MAX_ATTEMPTS - 1}, "
                        f"floor(ln(1 - gen.u(r.key, 15)) / ln({p!r}))::int)")
        else:
            attempts = "1"
        scores = []
        for a in range(MAX_ATTEMPTS):
            right = " + ".join(f"CASE WHEN r.q > {i} AND {self.correct_sql(str(a), str(i))} "
                               f"THEN 1 ELSE 0 END" for i in range(self.max_quiz))
            scores.append(f"({right}) AS c{a}" if a == 0 else
                          f"CASE WHEN r.attempts > {a} THEN {right} END AS c{a}")
        return f"""
        CREATE UNLOGGED TABLE gen.lr1 AS
        SELECT r.*, CASE WHEN r.attempts = 1 THEN r.first_at
                         -- Retakes a few minutes apart at least, so attempts do not overlap.
                         ELSE r.first_at + (r.attempts - 1) * interval '3 minutes'
                              + (r.span_end - r.first_at) * 0.25 * gen.u(r.key, 18)
                    END AS completed_at,
               {", ".join(scores)}
        FROM (SELECT r.*, {attempts} AS attempts FROM gen.lr0 r) AS r
        JOIN gen.lesson l USING (lesson_key)
        """

    def counts_sql(self, whole: int, spare: int, rows: int) -> str:
        """How many answers each lesson row gets, so that they add up to --answers exactly,
        and where its ids start (ids in time order, as a serial would give them)."""
        target = self.args.answers
        if target >= whole:
            # Answers of quizzes left half way: up to q - 1 a row, spread evenly by key.
            base, weight, total, wsum = "q * attempts", "(q - 1)", target - whole, spare
            if spare == 0:
                weight, wsum = "1", rows
        else:
            # Fewer answers than whole attempts: keep a proportional part of each row's.
            base, weight, total, wsum = "0", "(q * attempts)", target, whole
        return f"""
        CREATE UNLOGGED TABLE gen.lr AS
        SELECT w.*, (sum(w.n_ans) OVER (ORDER BY w.first_at, w.key
                                        ROWS UNBOUNDED PRECEDING) - w.n_ans)::bigint
                    AS ans_start
        FROM (
            SELECT c.*, {base} + {total}::bigint * c.upto / {wsum}
                   - {total}::bigint * (c.upto - {weight}) / {wsum} AS n_ans
            FROM (SELECT r.*, sum({weight}) OVER (ORDER BY r.key ROWS UNBOUNDED PRECEDING)
                                  AS upto
                  FROM gen.lr1 r) AS c
        ) AS w
        ORDER BY w.first_at, w.key
        """

    def results_sql(self) -> str:
        cs = [f"r.c{a}" for a in range(MAX_ATTEMPTS)]
        last = " ".join(f"WHEN {a + 1} THEN r.c{a}" for a in range(MAX_ATTEMPTS))
        pass_mark = "(r.c{a} * 3 < r.q * 2)"  # bot.lessons.progress.passed
        failures = " + ".join(f"coalesce({pass_mark.format(a=a)}::int, 0)"
                              for a in range(MAX_ATTEMPTS))
        return f"""
        INSERT INTO lesson_result (learner_id, course_id, lesson_id, best_correct,
            last_correct, total, attempts, completed_at, failures, first_correct,
            first_completed_at)
        SELECT r.learner_id, l.course_id, l.lesson_id, greatest({", ".join(cs)}),
               CASE r.attempts {last} END, r.q, r.attempts, r.completed_at, {failures},
               r.c0, r.first_at
        FROM gen.lr r JOIN gen.lesson l USING (lesson_key)
        ORDER BY r.first_at, r.key
        """

    def answers_sql(self) -> str:
        ok = self.correct_sql("x.a", "x.i")
        return f"""
        INSERT INTO quiz_answer (id, learner_id, course_id, lesson_id, question_id, chosen,
            correct, answered_at)
        SELECT r.ans_start + j + 1, r.learner_id, l.course_id, l.lesson_id, l.qids[x.i + 1],
               CASE WHEN {ok} THEN l.answers[x.i + 1]
                    ELSE 1 + (l.answers[x.i + 1]
                              + floor(gen.u(r.key * 16 + x.a, 30 + x.i)
                                      * (l.nopts[x.i + 1] - 1))::int) % l.nopts[x.i + 1]
               END,
               {ok},
               CASE WHEN x.a = 0 THEN r.first_at
                    WHEN x.a < r.attempts THEN r.first_at + (r.completed_at - r.first_at)
                                                * (x.a::float8 / (r.attempts - 1))
                    -- A quiz started after the last finished one and left half way.
                    ELSE r.completed_at + interval '2 minutes'
                         + (r.q + x.i) * interval '40 seconds'
               END
               - ((r.q - 1 - x.i) * 30 + 20 * gen.u(r.key * 16 + x.a, 50 + x.i))
                 * interval '1 second'
        FROM gen.lr r
        JOIN gen.lesson l USING (lesson_key)
        CROSS JOIN LATERAL generate_series(0, r.n_ans - 1) AS j
        CROSS JOIN LATERAL (SELECT (j / r.q)::int AS a, (j % r.q)::int AS i) AS x
        """

    def completions_sql(self) -> str:
        return """
        INSERT INTO course_completion (learner_id, course_id, completed_at)
        SELECT r.learner_id, r.course_id, max(r.first_completed_at)
        FROM lesson_result r JOIN gen.course c USING (course_id)
        GROUP BY r.learner_id, r.course_id, c.n_lessons
        HAVING count(*) = c.n_lessons
        ORDER BY 3
        """

    # ------------------------------------------------------------------ mentoring

    def mentors_sql(self) -> str:
        def pick(names: Sequence[str], salt: int) -> str:
            return (f"({sql_array(names)})[1 + floor(gen.u(p.id, {salt}) * {len(names)})::int]")

        course = sql_text(MENTOR_COURSE)
        return f"""
        INSERT INTO mentor (learner_id, full_name, ward, unit, status, approved_by, created_at,
            trained_at)
        SELECT p.id, {pick(FAMILY, 30)} || ' ' || {pick(MIDDLE, 31)} || ' ' || {pick(GIVEN, 32)},
               p.commune_name, {pick(UNITS, 33)},
               CASE WHEN p.trained THEN 'trained' ELSE 'approved' END,
               CASE WHEN p.trained THEN '' ELSE 'Đoàn phường' END,
               p.created_at + interval '5 minutes', cc.completed_at
        FROM gen.person p
        LEFT JOIN course_completion cc ON cc.learner_id = p.id AND cc.course_id = {course}
        WHERE p.mentor
        ORDER BY p.id
        """

    def pairings_sql(self) -> str:
        """The k-th paired mentor of a commune takes its k-th resident in a hashed order:
        mentees are distinct, so the one-active-mentor index holds."""
        return f"""
        WITH m AS (
            SELECT mt.learner_id AS mentor_id, l.area_commune,
                   coalesce(mt.trained_at, mt.created_at) AS ready,
                   row_number() OVER (PARTITION BY l.area_commune ORDER BY mt.learner_id) AS rk
            FROM mentor mt JOIN learner l ON l.id = mt.learner_id
            WHERE gen.u(mt.learner_id, 40) < {PAIRED_SHARE}
        ), r AS (
            SELECT l.id AS mentee_id, l.area_commune, l.created_at,
                   row_number() OVER (PARTITION BY l.area_commune
                                      ORDER BY gen.u(l.id, 41), l.id) AS rk
            FROM learner l
            WHERE l.area_commune <> ''
              AND NOT EXISTS (SELECT 1 FROM mentor mt WHERE mt.learner_id = l.id)
        )
        INSERT INTO pairing (id, mentor_id, mentee_id, status, origin, created_at, decided_at,
            ended_at)
        SELECT row_number() OVER (ORDER BY m.mentor_id), m.mentor_id, r.mentee_id, 'active',
               'code', t.at, t.at + (1 + 4 * gen.u(m.mentor_id, 43)) * interval '1 minute', NULL
        FROM m JOIN r USING (area_commune, rk)
        CROSS JOIN LATERAL (
            SELECT greatest(m.ready, r.created_at)
                   + greatest(interval '0', {self.now} - interval '15 minutes'
                                            - greatest(m.ready, r.created_at))
                     * gen.u(m.mentor_id, 42) AS at
        ) AS t
        """

    def check_ins_sql(self) -> str:
        return f"""
        INSERT INTO check_in (id, pairing_id, kind, met_on, note, created_at)
        SELECT row_number() OVER (ORDER BY p.id, k), p.id,
               CASE WHEN gen.u(p.id * 8 + k, 44) < 0.55 THEN 'truc-tiep' ELSE 'dien-thoai' END,
               (t.met AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, '',
               t.met + ({self.now} - t.met) * 0.1 * gen.u(p.id * 8 + k, 46)
        FROM pairing p
        CROSS JOIN LATERAL (SELECT floor(gen.u(p.id, 47) * 5)::int AS n) AS c
        CROSS JOIN LATERAL generate_series(1, c.n) AS k
        CROSS JOIN LATERAL (
            SELECT p.decided_at + ({self.now} - p.decided_at)
                   * ((k - 1 + gen.u(p.id * 8 + k, 45)) / c.n) AS met
        ) AS t
        """

    @staticmethod
    def activity_sql() -> str:
        """Mentors and mentees were active when they paired and logged check-ins."""
        return """
        UPDATE learner l SET last_active_at = x.at
        FROM (SELECT id, max(at) AS at FROM (
                  SELECT mentee_id AS id, decided_at AS at FROM pairing
                  UNION ALL SELECT mentor_id, decided_at FROM pairing
                  UNION ALL SELECT p.mentor_id, c.created_at
                            FROM check_in c JOIN pairing p ON p.id = c.pairing_id) AS a
              GROUP BY id) AS x
        WHERE l.id = x.id AND l.last_active_at < x.at
        """

    # ------------------------------------------------------------------ schema around the load

    async def drop_keys(self) -> list[str]:
        """Drop keys, foreign keys and indexes of the filled tables; return the statements that
        put them back. Building an index once is far cheaper than keeping it up row by row."""
        tables = list(TABLES)
        constraints = await self.db.fetch("""
            SELECT c.conrelid::regclass::text AS tbl, c.conname, c.contype::text AS contype,
                   pg_get_constraintdef(c.oid) AS def
            FROM pg_constraint c
            WHERE c.contype IN ('p', 'u', 'f')
              AND (c.conrelid = ANY($1::text[]::regclass[])
                   OR c.confrelid = ANY($1::text[]::regclass[]))
        """, tables)
        indexes = await self.db.fetch("""
            SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def
            FROM pg_index i
            WHERE i.indrelid = ANY($1::text[]::regclass[])
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
        """, tables)
        order = {"f": 0, "p": 1, "u": 1}
        drops = [f'ALTER TABLE {c["tbl"]} DROP CONSTRAINT "{c["conname"]}"'
                 for c in sorted(constraints, key=lambda c: order[c["contype"]])]
        drops += [f'DROP INDEX {i["name"]}' for i in indexes]
        async with self.db.transaction():
            for statement in drops:
                await self.db.execute(statement)
        keys = [f'ALTER TABLE {c["tbl"]} ADD CONSTRAINT "{c["conname"]}" {c["def"]}'
                for c in constraints if c["contype"] != "f"]
        foreign = [f'ALTER TABLE {c["tbl"]} ADD CONSTRAINT "{c["conname"]}" {c["def"]}'
                   for c in constraints if c["contype"] == "f"]
        return [*keys, *[i["def"] for i in indexes], *foreign]

    # ------------------------------------------------------------------ the whole run

    async def run(self) -> None:
        args = self.args
        await self.db.execute(
            "SET synchronous_commit = off; SET work_mem = '512MB'; "
            "SET maintenance_work_mem = '2GB'; SET max_parallel_maintenance_workers = 2; "
            # A synchronized scan may start mid-table and break the time order of inserts.
            "SET synchronize_seqscans = off")
        started = time.perf_counter()
        await self.reference()
        restore = await self.drop_keys()
        print(f"  {'reference data, drop keys':<28} {time.perf_counter() - started:7.1f} s",
              flush=True)
        await self.phase("learners", self.person_sql(), self.learner_sql(),
                         "ANALYZE gen.person")
        await self.phase("lessons", self.lessons_sql(), "ANALYZE gen.lr0")
        questions = int(await self.scalar("SELECT sum(q) FROM gen.lr0"))
        mean = WHOLE_ATTEMPTS_SHARE * args.answers / max(questions, 1)
        await self.phase("attempts and scores", self.attempts_sql(mean))
        whole, spare, rows = await self.db.fetchrow(
            "SELECT sum(q * attempts), sum(q - 1), count(*) FROM gen.lr1")
        await self.phase("answer counts", self.counts_sql(int(whole), int(spare), int(rows)),
                         "DROP TABLE gen.lr0, gen.lr1")
        await self.phase("lesson_result", self.results_sql())
        await self.phase("quiz_answer", self.answers_sql())
        await self.phase("course_completion", self.completions_sql())
        await self.phase("mentoring", self.mentors_sql(), self.pairings_sql(),
                         self.check_ins_sql(), self.activity_sql())
        await self.phase("keys and indexes", *restore)
        await self.phase("sequences", *[
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"coalesce(max(id), 1), max(id) IS NOT NULL) FROM {table}"
            for table in ("learner", "quiz_answer", "pairing", "check_in")])
        await self.phase("drop staging", "DROP SCHEMA gen CASCADE")
        # VACUUM too: a fresh bulk load has no visibility map or hint bits, and autovacuum
        # would otherwise rewrite them while someone times queries.
        phase_started = time.perf_counter()
        await self.db.execute("VACUUM (ANALYZE)")
        print(f"  {'vacuum, analyze':<28} {time.perf_counter() - phase_started:7.1f} s")
        print(f"  {'total':<28} {time.perf_counter() - started:7.1f} s\n")
        for table in TABLES:
            count = await self.scalar(f"SELECT count(*) FROM {table}")
            print(f"  {table:<20} {count:>12,}")
        size = await self.scalar("SELECT pg_size_pretty(pg_database_size(current_database()))")
        print(f"  {'database size':<20} {size:>12}")


async def recreate(url: str) -> str:
    """Drop and create the database named in `url`; return its asyncpg DSN."""
    parsed = make_url(url)
    name = parsed.database or ""
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name) or name in PROTECTED:
        raise SystemExit(f"refusing to drop and recreate database {name!r}")
    admin = await asyncpg.connect(parsed.set(drivername="postgresql", database="postgres")
                                  .render_as_string(hide_password=False))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True,
                        help="postgresql+asyncpg://user@host:port/dbname (dropped and recreated)")
    parser.add_argument("--learners", type=int, default=1_000_000)
    parser.add_argument("--answers", type=int, default=20_000_000)
    parser.add_argument("--days", type=int, default=180, help="how far back sign-ups go")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.learners < 1 or args.answers < 0 or args.days < 1:
        parser.error("--learners and --days must be at least 1, --answers at least 0")
    library = load_library(PROJECT_ROOT / "content")
    started = time.perf_counter()
    dsn = await recreate(args.url)
    engine = create_engine(args.url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()
    print(f"{make_url(args.url).database}: {args.learners:,} learners, {args.answers:,} answers,"
          f" {args.days} days, seed {args.seed}")
    print(f"  {'create, migrate':<28} {time.perf_counter() - started:7.1f} s", flush=True)
    connection = await asyncpg.connect(dsn)
    try:
        await Generator(connection, args, library).run()
    finally:
        await connection.close()


if __name__ == "__main__":
    asyncio.run(main())
