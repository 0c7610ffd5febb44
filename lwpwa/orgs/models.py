from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow
from ..extensions import db

KINDS = ("community_school", "open_university", "university", "vocational_school", "library",
         "bureau", "other")


class Org(db.Model):
    """A reporting unit (填报单位) with the contacts printed under its statistics table."""

    __tablename__ = "orgs"
    __table_args__ = (UniqueConstraint("region_code", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    kind: Mapped[str] = mapped_column(String(32), default="other")
    lead_name: Mapped[str | None] = mapped_column(String(64))  # 负责人
    reporter_name: Mapped[str | None] = mapped_column(String(64))  # 填报人
    phone: Mapped[str | None] = mapped_column(String(32))  # 联系电话
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    region = relationship("Region")

    def __repr__(self):
        return f"<Org {self.id} {self.name}>"

    def to_json(self):
        return {
            "id": self.id,
            "name": self.name,
            "region_code": self.region_code,
            "kind": self.kind,
            "lead_name": self.lead_name,
            "reporter_name": self.reporter_name,
            "phone": self.phone,
        }
