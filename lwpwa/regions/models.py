from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, true
from sqlalchemy.orm import Mapped, mapped_column

from ..database import UTCDateTime, utcnow
from ..extensions import db

# The whole country: not a GB/T 2260 code (the standard starts at the provinces), the code the
# ministry's accounts and national campaigns carry. Every code starts with its empty prefix.
COUNTRY_CODE = "000000"
LEVELS = ("country", "province", "city", "district")


class Region(db.Model):
    """An administrative division with its GB/T 2260 code (140000 山西省, 140100 太原市 …).

    A code that a later release of the codes dropped stays, no longer `current`, with
    `successor_code` naming the code its units were moved to (`flask --app wsgi update-regions`),
    so that old records still name it; it is no longer listed."""

    __tablename__ = "regions"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(16))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), index=True)
    current: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    successor_code: Mapped[str | None] = mapped_column(String(6))

    def __repr__(self):
        return f"<Region {self.code} {self.name}>"

    @property
    def prefix(self):
        """The code prefix shared by this region and everything inside it."""
        return scope_prefix(self.code, self.level)

    def to_json(self):
        return {"code": self.code, "name": self.name, "level": self.level, "parent_code": self.parent_code}


class RegionRelease(db.Model):
    """A release of the codes that `init-db` or `update-regions` applied, newest last."""

    __tablename__ = "region_releases"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(100))
    version: Mapped[str] = mapped_column(String(40))
    data_date: Mapped[str | None] = mapped_column(String(10))
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    regions: Mapped[int] = mapped_column(Integer)


class RegionChange(db.Model):
    """One code's change between two releases: `added`, `renamed`, `merged` (its units, users
    and campaigns moved to `new_code`) or `retired` (dropped with nothing attached)."""

    __tablename__ = "region_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    release_id: Mapped[int] = mapped_column(ForeignKey("region_releases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    old_code: Mapped[str | None] = mapped_column(String(6), index=True)
    new_code: Mapped[str | None] = mapped_column(String(6), index=True)
    old_name: Mapped[str | None] = mapped_column(String(64))
    new_name: Mapped[str | None] = mapped_column(String(64))
    units_moved: Mapped[int] = mapped_column(Integer, default=0)


def scope_prefix(code, level):
    # GB/T 2260: two digits of province, two of city, two of district; the country is all of them.
    if code == COUNTRY_CODE:
        return ""
    return {"province": code[:2], "city": code[:4]}.get(level, code)


def level_of(code):
    if code == COUNTRY_CODE:
        return "country"
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "city"
    return "district"
