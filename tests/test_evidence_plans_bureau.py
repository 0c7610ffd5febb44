"""Plans (实施方案) checked by content and dated against the plan due date; a bureau's evidence
ZIP of its units' handed-in packages, its summary draft from their submitted versions, and the
dashboard column of who handed in evidence. Nothing of another region."""
import io
import zipfile
from datetime import date, timedelta

import pytest
from conftest import checkin, sync_body
from docx import Document
from evidence_helpers import lead_client
from sqlalchemy import select

from lwpwa.evidence import package as packages
from lwpwa.evidence import storage
from lwpwa.evidence.models import Plan
from lwpwa.extensions import db
from lwpwa.submissions import service as submissions


@pytest.fixture(autouse=True)
def storage_dir(app, tmp_path):
    before = app.config["EVIDENCE_STORAGE"]
    app.config["EVIDENCE_STORAGE"] = str(tmp_path / "evidence")
    app.config["WTF_CSRF_ENABLED"] = False
    yield
    app.config["EVIDENCE_STORAGE"] = before
    app.config["WTF_CSRF_ENABLED"] = True


def word_file(text="实施方案"):
    document = Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def post_plan(web, url, data, name):
    return web.post(url, data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def test_a_unit_hands_in_word_and_pdf_checked_by_content(app, unit):
    web = lead_client(app, unit.lead)
    url = f"/unit/plans?campaign={unit.campaign.id}"
    assert "not_handed_in" not in web.get(url).text
    for data, name in ((b"%PDF-1.7 plan", "方案.docx"), (word_file(), "方案.bin")):
        assert post_plan(web, url, data, name).status_code == 302
    refused = [(b"PK\x03\x04not really a zip", "a.docx"), (b"MZ\x90 an exe", "a.pdf"), (b"", "a.pdf")]
    for data, name in refused:
        response = post_plan(web, url, data, name)
        assert response.status_code == 302
    kinds = sorted(db.session.scalars(select(Plan.kind)))
    assert kinds == ["docx", "pdf"]  # the PDF named .docx is a PDF, the Word named .bin is Word
    pdf = web.get(f"/unit/plans/file?campaign={unit.campaign.id}&kind=pdf")
    assert pdf.data == b"%PDF-1.7 plan" and pdf.mimetype == "application/pdf"
    page = web.get(url).text
    assert 'data-plan-status="on_time"' in page


def test_a_plan_too_large_is_refused(app, unit):
    app.config["PLAN_MAX_BYTES"] = 1000
    try:
        web = lead_client(app, unit.lead)
        response = post_plan(web, f"/unit/plans?campaign={unit.campaign.id}", b"%PDF-" + b"x" * 5000, "big.pdf")
        assert response.status_code == 302
        assert "MB" in web.get(response.headers["Location"]).text  # the flashed refusal
        # Far beyond the limit the request itself is refused before it is read.
        response = post_plan(web, f"/unit/plans?campaign={unit.campaign.id}", b"%PDF-" + b"x" * 200_000, "big.pdf")
        assert response.status_code == 413
    finally:
        app.config["PLAN_MAX_BYTES"] = 10 * 1024 * 1024
    assert db.session.scalar(select(Plan)) is None


def test_the_bureau_sees_who_has_a_plan_and_who_is_late(app, unit, make):
    unit.campaign.plan_due_on = date.today() - timedelta(days=1)
    db.session.commit()
    late_unit, silent = make.org(name="迟交单位"), make.org(name="未交单位")
    make.org(region_code="140213", name="大同单位")  # another city: never listed for Taiyuan
    web = lead_client(app, unit.lead)
    assert post_plan(web, f"/unit/plans?campaign={unit.campaign.id}", b"%PDF-1.4", "p.pdf").status_code == 302
    # The first unit handed in before the due date; the second after it.
    first = db.session.scalar(select(Plan))
    first.first_uploaded_at = first.first_uploaded_at - timedelta(days=3)
    db.session.commit()
    other_lead = make.user("site_lead", org=late_unit)
    post_plan(lead_client(app, other_lead), f"/unit/plans?campaign={unit.campaign.id}", word_file(), "p.docx")

    bureau = make.user("bureau", region_code="140100")
    page = lead_client(app, bureau).get(f"/region/140100/plans?campaign={unit.campaign.id}").text
    assert f'data-owner="org:{unit.org.id}" data-status="on_time"' in page
    assert f'data-owner="org:{late_unit.id}" data-status="late"' in page
    assert f'data-owner="org:{silent.id}" data-status="overdue"' in page
    assert "大同单位" not in page
    bureau_web = lead_client(app, bureau)
    assert post_plan(bureau_web, f"/region/140100/plans?campaign={unit.campaign.id}", word_file("太原市方案"),
                     "太原.docx").status_code == 302
    assert db.session.scalar(select(Plan).where(Plan.owner == "region:140100")).kind == "docx"
    province = lead_client(app, make.user("bureau", region_code="140000"))
    page = province.get(f"/region/140000/plans?campaign={unit.campaign.id}").text
    assert 'data-owner="region:140100" data-status="late"' in page
    downloaded = province.get(f"/region/140000/plans/file?campaign={unit.campaign.id}&city=140100&kind=docx")
    assert "太原市方案" in "\n".join(p.text for p in Document(io.BytesIO(downloaded.data)).paragraphs)
    datong = lead_client(app, make.user("bureau", region_code="140200"))
    assert datong.get(f"/region/140200/plans/file?campaign={unit.campaign.id}&org={unit.org.id}&kind=pdf").status_code == 404
    assert datong.get(f"/region/140100/plans?campaign={unit.campaign.id}").status_code == 404


def test_the_bureau_downloads_its_units_packages_and_summary(app, client, unit, make):
    code = make.resident()[1]
    client.post("/api/v1/sync", headers=unit.headers, json=sync_body(
        [checkin(unit.activity.id, code=code), checkin(unit.activity.id, headcount=3)]))
    submissions.submit(unit.campaign, unit.org, unit.lead)
    db.session.commit()
    package = packages.hand_in(unit.campaign, unit.org, unit.lead)
    db.session.commit()
    second = make.org(name="第二单位")  # submitted, no evidence
    make.activity(second, unit.campaign, theme="reading")
    submissions.submit(unit.campaign, second, unit.lead)
    db.session.commit()

    bureau = lead_client(app, make.user("bureau", region_code="140100"))
    with bureau.get(f"/region/140100/evidence.zip?campaign={unit.campaign.id}") as response:  # streamed
        assert response.status_code == 200 and response.mimetype == "application/zip"
        archive = zipfile.ZipFile(io.BytesIO(response.data))
    inner = [n for n in archive.namelist() if n.endswith(".zip")]
    assert len(inner) == 1 and unit.org.name in inner[0]
    assert archive.read(inner[0]) == storage.read(storage.package_path(package))
    listing = archive.read("00-清单.txt").decode()
    assert "第二单位" in listing and "未报送" in listing and package.sha256 in listing
    summary = Document(io.BytesIO(archive.read(next(n for n in archive.namelist() if n.endswith(".docx")))))
    text = "\n".join(p.text for p in summary.paragraphs)
    assert "汇总2个单位" in text and "共开展活动2项" in text and "参与（或受益）4人次" in text

    page = bureau.get(f"/region/140100/?campaign={unit.campaign.id}").text
    assert page.count('data-evidence="handed_in"') == 1 and 'data-evidence="missing"' in page
    # Another city's bureau gets nothing of Taiyuan; a unit's lead is not a bureau.
    datong = lead_client(app, make.user("bureau", region_code="140200"))
    with datong.get(f"/region/140100/evidence.zip?campaign={unit.campaign.id}") as response:
        assert response.status_code == 404
    assert lead_client(app, unit.lead).get(f"/region/140100/summary.docx?campaign={unit.campaign.id}").status_code == 403
