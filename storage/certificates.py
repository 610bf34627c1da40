"""Certificates of finished courses: issued once per learner and course inside the turn that
finished it, found by their short code for the public verify page, counted for organizers."""

import secrets
from dataclasses import dataclass
from datetime import date

from sqlalchemy import (
    Column,
    Date,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    func,
    insert,
    select,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlmodel import SQLModel

from storage.clock import local_date
from storage.repository import area_columns
from storage.scope import Scope
from storage.transactions import Connection

# Read aloud or typed from paper: no 0/O or 1/I/L. 31^8 codes: guessing one is hopeless,
# and the verify page limits wrong guesses besides.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
_METADATA: MetaData = SQLModel.metadata
CERTIFICATE = Table(
    "certificate", _METADATA,
    Column("code", String(CODE_LENGTH), primary_key=True),
    # Erasing the learner deletes their certificates (storage/personal_data.py `erase`).
    Column("learner_id", Integer, ForeignKey("learner.id"), nullable=False),
    Column("course_id", String(16), nullable=False),
    Column("name", String(128), nullable=False),  # as the learner allowed; may be ""
    Column("address", String(8), nullable=False),  # the form of address (bot/handlers/address)
    Column("issuer", String(160), nullable=False),
    Column("locale", String(8), nullable=False),
    Column("issued_on", Date, nullable=False),  # the Vietnamese calendar day
    Column("area_province", String(52), nullable=False),
    Column("area_commune", String(52), nullable=False),
    Column("area_village", String(52), nullable=False),
    UniqueConstraint("learner_id", "course_id", name="uq_certificate_learner_course"),
)


@dataclass(frozen=True)
class Certificate:
    """One certificate as it is shown: on the picture, the PDF and the verify page."""

    code: str
    course_id: str
    name: str
    address: str
    issuer: str
    locale: str
    issued_on: date


def new_code() -> str:
    """A fresh random code."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def _certificate(row: object) -> Certificate:
    mapping = row._mapping  # type: ignore[attr-defined]
    return Certificate(mapping["code"], mapping["course_id"], mapping["name"],
                       mapping["address"], mapping["issuer"], mapping["locale"],
                       mapping["issued_on"])


async def issue(connection: Connection, *, learner_id: int, course_id: str, name: str,
                address: str, issuer: str, locale: str, area_id: str) -> Certificate | None:
    """Issue the learner's certificate for a course, in the caller's transaction; None when
    they already have one (only the learner's own turn issues theirs, with their row locked)."""
    mine = select(CERTIFICATE.c.code).where(
        (CERTIFICATE.c.learner_id == learner_id) & (CERTIFICATE.c.course_id == course_id))
    if (await connection.execute(mine)).first() is not None:
        return None
    issued_on = local_date()
    values = {"learner_id": learner_id, "course_id": course_id, "name": name,
              "address": address, "issuer": issuer, "locale": locale,
              "issued_on": issued_on, **area_columns(area_id)}
    while True:
        code = new_code()
        try:  # a clash of random codes is all but impossible; try another if it happens
            async with connection.begin_nested():
                await connection.execute(insert(CERTIFICATE).values(code=code, **values))
        except IntegrityError:
            if (await connection.execute(mine)).first() is not None:
                return None  # issued meanwhile (the unique key of learner and course)
            continue  # two random codes met: all but impossible; draw another
        return Certificate(code, course_id, name, address, issuer, locale, issued_on)


async def of_learner(connection: Connection, learner_id: int) -> list[Certificate]:
    """A learner's certificates, oldest first."""
    rows = await connection.execute(select(CERTIFICATE).where(
        CERTIFICATE.c.learner_id == learner_id).order_by(CERTIFICATE.c.issued_on,
                                                         CERTIFICATE.c.course_id))
    return [_certificate(row) for row in rows]


async def find(engine: AsyncEngine, code: str) -> Certificate | None:
    """The certificate with this code (any case), or None."""
    code = code.upper()
    if len(code) != CODE_LENGTH or any(char not in ALPHABET for char in code):
        return None
    async with engine.connect() as connection:
        row = (await connection.execute(
            select(CERTIFICATE).where(CERTIFICATE.c.code == code))).first()
    return _certificate(row) if row is not None else None


@dataclass(frozen=True)
class CertificateCount:
    """How many certificates a course has in one part of an organizer's scope."""

    area_id: str
    course_id: str
    count: int


async def certificate_counts(connection: AsyncConnection, scope: Scope, *, first: date,
                             last: date) -> list[CertificateCount]:
    """Certificates issued from `first` to `last` per part of `scope` and course."""
    part = scope.part_column(CERTIFICATE)
    area = part if part is not None else CERTIFICATE.c.area_village
    total = func.count()
    rows = await connection.execute(
        select(area.label("area_id"), CERTIFICATE.c.course_id, total.label("count"))
        .where(scope.where(CERTIFICATE), CERTIFICATE.c.issued_on >= first,
               CERTIFICATE.c.issued_on <= last)
        .group_by(area, CERTIFICATE.c.course_id).order_by(area, CERTIFICATE.c.course_id))
    return [CertificateCount(row.area_id, row.course_id, int(row[2])) for row in rows]
