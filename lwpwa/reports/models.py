"""`unit_counts`: the counts of each unit in each campaign, kept as data beside `checkin_counts`.

One row per (campaign, unit): its activities that are not cancelled, and the sums of their
counter rows by kind. The counts API by unit, by county, city or province (the national
account's country: 20,000 units instead of 400,000 counter rows joined to 200,000 activities)
and the number of activities a region counts are read from it.

Database triggers keep it (migration 0013): on `checkin_counts` (every insert, update and
delete: sync, approvals, voids, `recount --fix`) and on `activities` (new, deleted, cancelled
or restored, moved to another campaign or unit), in the writing transaction, so it is exact
whenever `checkin_counts` is; PostgreSQL's triggers run once per statement, over its rows,
and lock the activities' rows first (an edit cancelling an activity and a sync into it wait
for each other instead of counting past each other), then the units' rows in key order.
`flask --app wsgi recount` compares it with `checkin_counts` and `--fix` rebuilds it
(lwpwa/reports/rollup.py).
"""
from sqlalchemy import BigInteger, text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class UnitCount(db.Model):
    __tablename__ = "unit_counts"

    # No foreign keys: the rows follow their activities (see the module), and tests and the
    # rescue tools delete tables in any order.
    campaign_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    org_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    activities: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    attendee_scanned: Mapped[int] = mapped_column(BigInteger, default=0, server_default=text("0"))
    attendee_headcount: Mapped[int] = mapped_column(BigInteger, default=0, server_default=text("0"))
    volunteer_scanned: Mapped[int] = mapped_column(BigInteger, default=0, server_default=text("0"))
    volunteer_headcount: Mapped[int] = mapped_column(BigInteger, default=0, server_default=text("0"))

    def __repr__(self):
        return f"<UnitCount campaign {self.campaign_id} org {self.org_id}: {self.activities} activities>"
