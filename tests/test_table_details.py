"""The attachment's own details: the table's title as the notice words it, the date of the
submitted version (年 月 日 blank on a draft), the “智慧助老” hint, no 0 under an idle theme."""
import io
from datetime import datetime, timezone

from evidence_helpers import lead_client
from openpyxl import load_workbook
from sqlalchemy import select

from lwpwa.activities.reference import THEMES
from lwpwa.campaigns.models import Campaign
from lwpwa.extensions import db
from lwpwa.reports.table import BLANK_DATE, HEADER_ROW
from lwpwa.submissions import service as submissions


def workbook(client, org, campaign, headers):
    response = client.get(f"/api/v1/orgs/{org.id}/report.xlsx?campaign_id={campaign.id}", headers=headers)
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.data)).worksheets[0]


def texts(ws, row):
    return [c.value for c in ws[row] if isinstance(c.value, str)]


def test_the_seeded_shanxi_table_reads_as_the_attachment(client, make):
    campaign = db.session.scalar(select(Campaign).where(Campaign.title == "2022年山西省全民终身学习活动周"))
    org = make.org()
    lead = make.user("site_lead", org=org)
    make.activity(org, campaign, starts_at=datetime(2022, 12, 15, 1, tzinfo=timezone.utc), theme="reading")
    headers = make.auth(lead)
    ws = workbook(client, org, campaign, headers)
    assert "山西省 2022 年全民终身学习活动周情况统计表" in texts(ws, 1)
    assert BLANK_DATE in texts(ws, 2)  # a draft: the day is written when it is sealed

    submission = submissions.submit(campaign, org, lead)
    db.session.commit()
    day = submission.submitted_at.astimezone(campaign.zone).date()
    ws = workbook(client, org, campaign, headers)
    assert f"{day.year}年{day.month}月{day.day}日" in texts(ws, 2)

    # Under themes without an activity: no 0; the “智慧助老” column keeps the attachment's hint.
    columns = {ws.cell(HEADER_ROW, c).value: c for c in range(2, ws.max_column + 1) if ws.cell(HEADER_ROW, c).value}
    smart = columns["“智慧助老”"]
    assert ws.cell(HEADER_ROW + 1, smart).value == "除填写教育培训内容，还可填报推介优质课程名称"
    for label in ("“智慧助老”", "终身学习", "其他"):
        assert all(ws.cell(HEADER_ROW + n, columns[label]).value is None for n in range(4, 11) if n != 10)
    assert ws.cell(HEADER_ROW + 4, columns["全民阅读"]).value == 0  # an activity with nobody yet: 0


def test_the_form_for_a_new_campaign_proposes_the_attachments_title(app, make):
    province = make.user("bureau", region_code="140000")
    page = lead_client(app, province).get("/admin/campaigns/new").text
    year = datetime.now().year
    assert f'value="山西省 {year} 年全民终身学习活动周情况统计表"' in page
    assert [label for _k, label, _e in THEMES][5] == "“智慧助老”"


def test_create_campaign_takes_the_plan_due_date_and_the_table_title(runner):
    result = runner.invoke(args=["create-campaign", "--title", "Test 2026年山西省周", "--region", "140000",
                                 "--starts-on", "2026-12-10", "--ends-on", "2026-12-20",
                                 "--plan-due-on", "2026-11-30", "--table-title", "山西省 2026 年全民终身学习活动周情况统计表"])
    assert result.exit_code == 0, result.output
    campaign = db.session.get(Campaign, int(result.output.strip().splitlines()[-1]))
    assert campaign.plan_due_on.isoformat() == "2026-11-30"
    assert campaign.table_title == "山西省 2026 年全民终身学习活动周情况统计表"
    late = runner.invoke(args=["create-campaign", "--title", "Test late", "--region", "140000", "--starts-on",
                               "2026-12-10", "--ends-on", "2026-12-20", "--plan-due-on", "2026-12-21"])
    assert late.exit_code != 0 and "--plan-due-on" in late.output
