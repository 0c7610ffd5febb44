"""Reference data that `init-db` loads (again, safely): regions, themes, forms, 2022 campaigns."""
from datetime import date

from sqlalchemy import select

from .activities.models import ActivityForm, Theme
from .activities.reference import FORMS, THEMES
from .campaigns.models import Campaign
from .extensions import db
from .regions.source import installed_release
from .regions.update import apply_release

SLOGAN_2022 = "学习贯彻二十大，终身学习向未来"

# From the notices in shared/seeds: Shanxi (晋教职成函〔2022〕108号) holds its week in mid-December,
# plans due 30 November, tables due 25 December; Shandong (鲁教民函〔2022〕23号) opens in early
# December, cities hold their weeks before 26 December, summaries due 30 December.
CAMPAIGNS_2022 = (
    dict(title="2022年山西省全民终身学习活动周", slogan=SLOGAN_2022, region_code="140000",
         starts_on=date(2022, 12, 11), ends_on=date(2022, 12, 20),
         plan_due_on=date(2022, 11, 30), report_due_on=date(2022, 12, 25),
         notice="晋教职成函〔2022〕108号"),
    dict(title="2022年山东省全民终身学习活动周", slogan=SLOGAN_2022, region_code="370000",
         starts_on=date(2022, 12, 1), ends_on=date(2022, 12, 26),
         plan_due_on=None, report_due_on=date(2022, 12, 30),
         notice="鲁教民函〔2022〕23号"),
)


def load_reference_data():
    """Insert or update every reference row; returns counts of what is now present."""
    # Every region of the installed GB/T 2260 package; a code it dropped stays until
    # `update-regions` moves its units (lwpwa/regions/update.py).
    release = installed_release()
    apply_release(release, strict=False)
    for position, (key, label, _en) in enumerate(THEMES, start=1):
        db.session.merge(Theme(key=key, label=label, position=position))
    for position, (key, label, _en) in enumerate(FORMS, start=1):
        db.session.merge(ActivityForm(key=key, label=label, position=position))
    for fields in CAMPAIGNS_2022:
        exists = db.session.scalar(
            select(Campaign.id).where(Campaign.region_code == fields["region_code"],
                                      Campaign.title == fields["title"])
        )
        if exists is None:
            db.session.add(Campaign(timezone="Asia/Shanghai", **fields))
    db.session.flush()
    return {"regions": len(release.rows), "themes": len(THEMES), "forms": len(FORMS),
            "campaigns": len(CAMPAIGNS_2022)}
