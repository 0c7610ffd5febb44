"""A region's statistics table on either basis, as one snapshot that the page, the print view,
the .xlsx and a region's own submission all render.

`basis=submitted` (the bureau pages' default, and what a bureau submits upward) sums each unit's
latest submitted version (reports.submitted); `basis=live` sums the counts stored now. The
snapshot of the submitted basis is what a region submission freezes; a table whose content
equals the region's latest version is shown as that version, with its 校验码.
"""

from ..database import utcnow
from ..submissions.documents import Document, local, version_stamp
from ..submissions.freeze import same_content
from ..submissions.service import latest_of
from . import submitted, table
from .counts import FIGURES, counted_activities
from .service import region_rows

BASES = ("live", "submitted")


def region_snapshot(campaign, region, basis="submitted"):
    """What the region's table says on a basis: per theme, per unit, totals."""
    if basis == "submitted":
        latest = submitted.latest_versions(campaign, region, ("totals", "themes"))
        themes, units = submitted.theme_rows(latest), submitted.unit_rows(region, latest)
        missing = len(units) - len(latest)
    else:
        ids = counted_activities(campaign.id, region_code=region.code)
        themes, units = region_rows(region, ids)
        missing = None
    totals = {"activities": sum(unit["activities"] for unit in units),
              **{key: sum(unit[key] for unit in units) for key in FIGURES}}
    if missing is not None:
        totals["units_missing"] = missing
    return {"kind": "region", "basis": basis, "campaign_id": campaign.id, "campaign_title": campaign.title,
            "table_title": table.table_title(campaign),
            "region": {"code": region.code, "name": region.name}, "themes": themes, "units": units,
            "totals": totals}


def region_document(campaign, region, basis="submitted", snapshot=None):
    """The region's table to show on a basis: its latest version when the submitted basis
    still says exactly what that version froze; else the table as it is, saying so."""
    zone = campaign.zone
    snapshot = snapshot if snapshot is not None else region_snapshot(campaign, region, basis)
    latest = latest_of(campaign.id, region_code=region.code)
    if basis == "submitted" and latest is not None and same_content(snapshot, latest.snapshot):
        return Document(latest.snapshot, latest.submitted_at.astimezone(zone).date(), latest, latest,
                        version_stamp(latest, zone))
    now = local(utcnow(), zone)
    if basis == "submitted":
        line = (f"说明：本表按各单位已报送的最新版本汇总（{now}导出，"
                f"{snapshot['totals']['units_missing']}个单位未报送），不是本地区已报送的版本。")
    else:
        line = f"说明：本表为实时数据（{now}导出），不是报送版本。"
    return Document(snapshot, None, None, latest, [line])  # undated: not a submitted version


def workbook_of(document):
    snapshot = document.snapshot
    return table.region_workbook(table.snapshot_title(snapshot), snapshot["region"]["name"], snapshot["themes"],
                                 snapshot["units"], document.on_date, document.stamp,
                                 versions=snapshot["basis"] == "submitted")


def region_workbook(campaign, region, basis="submitted"):
    return workbook_of(region_document(campaign, region, basis))

