from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db

LEVELS = ("province", "city", "district")


class Region(db.Model):
    """An administrative division with its GB/T 2260 code (140000 山西省, 140100 太原市 …)."""

    __tablename__ = "regions"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(16))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), index=True)

    def __repr__(self):
        return f"<Region {self.code} {self.name}>"

    @property
    def prefix(self):
        """The code prefix shared by this region and everything inside it."""
        return scope_prefix(self.code, self.level)

    def to_json(self):
        return {"code": self.code, "name": self.name, "level": self.level, "parent_code": self.parent_code}


def scope_prefix(code, level):
    # GB/T 2260: two digits of province, two of city, two of district.
    return {"province": code[:2], "city": code[:4]}.get(level, code)


def level_of(code):
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "city"
    return "district"
