"""The evidence package: what the lead chose goes in, the drafts hold the unit's figures, the
PDFs are made by LibreOffice (or a clear error when it is missing), hand-in freezes the ZIP."""
import io
import subprocess
import zipfile

import pytest
from conftest import checkin, sync_body
from docx import Document
from evidence_helpers import lead_client, photo_with_gps, upload
from sqlalchemy import select

from lwpwa.evidence import storage
from lwpwa.evidence.models import EvidencePackage, Photo
from lwpwa.extensions import db
from lwpwa.submissions import service as submissions


@pytest.fixture(autouse=True)
def storage_dir(app, tmp_path):
    before = app.config["EVIDENCE_STORAGE"]
    app.config["EVIDENCE_STORAGE"] = str(tmp_path / "evidence")
    yield
    app.config["EVIDENCE_STORAGE"] = before


@pytest.fixture
def world(app, client, unit, make):
    """Two activities with scans and a tally, three photos of which two are chosen, submitted."""
    unit.activity.news_links = ["https://news.example.cn/a"]
    second = make.activity(unit.org, unit.campaign, theme="reading", name="读书沙龙")
    people = [make.resident(display_name=name) for name in ("张三丰", "李四")]
    items = [checkin(unit.activity.id, code=code) for _r, code in people]
    items += [checkin(unit.activity.id, headcount=5), checkin(second.id, code=people[0][1])]
    assert client.post("/api/v1/sync", headers=unit.headers, json=sync_body(items)).status_code == 200
    ids = [upload(client, unit.headers, unit.activity.id, photo_with_gps(size=(300, 200), color=c))[1]
           for c in ((255, 0, 0), (0, 255, 0), (0, 0, 255))]
    for photo in db.session.scalars(select(Photo).where(Photo.client_id.in_(ids[:2]))):
        photo.in_package = True
    db.session.commit()
    submissions.submit(unit.campaign, unit.org, unit.lead)
    db.session.commit()
    unit.second, unit.photo_ids = second, ids
    return unit


def zip_of(response):
    assert response.status_code == 200, response.data[:300]
    assert response.mimetype == "application/zip"
    return zipfile.ZipFile(io.BytesIO(response.data))


def pdf_text(data, tmp_path, name="x.pdf"):
    path = tmp_path / name
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_the_package_holds_what_the_lead_chose(app, world, tmp_path):
    web = lead_client(app, world.lead)
    archive = zip_of(web.get(f"/unit/evidence/package.zip?campaign={world.campaign.id}&case={world.activity.id}"))
    names = archive.namelist()
    assert "01-情况统计表.xlsx" in names and "01-情况统计表.pdf" in names
    sheets = [n for n in names if n.startswith("02-签到表/")]
    assert len(sheets) == 2 and all(n.endswith(".pdf") for n in sheets)
    photos = sorted(n for n in names if n.startswith("03-照片/"))
    assert len(photos) == 2  # the third was not chosen
    chosen = db.session.scalars(select(Photo).where(Photo.in_package.is_(True)).order_by(Photo.slot)).all()
    assert [archive.read(n) for n in photos] == [storage.read(storage.photo_path(p)) for p in chosen]
    assert "https://news.example.cn/a" in archive.read("04-新闻链接.txt").decode()
    manifest = archive.read("00-清单.txt").decode()
    assert world.org.name in manifest and submissions.latest_submission(world.campaign, world.org).fingerprint in manifest
    for name in names:
        if name != "00-清单.txt":
            assert storage.sha256(archive.read(name)) in manifest, name

    # The sign-in sheet: masked names only, the tally as a number.
    text = "\n".join(pdf_text(archive.read(n), tmp_path, f"s{i}.pdf") for i, n in enumerate(sheets))
    assert "张**" in text and "张三丰" not in text and "李*" in text
    assert "5人" in text

    summary = Document(io.BytesIO(archive.read("05-工作总结（草稿）.docx")))
    body = "\n".join(p.text for p in summary.paragraphs)
    assert "共开展活动2项" in body
    assert "参与（或受益）8人次" in body and "扫码签到3人次" in body and "现场计数5人次" in body
    assert "“智慧助老”活动1项" in body and "扫码核验占37.5%" in body
    rows = {row.cells[0].text: [c.text for c in row.cells] for row in summary.tables[0].rows}
    assert rows["“智慧助老”"] == ["“智慧助老”", "1", "7", "0"] and rows["全民阅读"][1:3] == ["1", "1"]

    case_name = next(n for n in names if n.startswith("06-典型案例"))
    case = Document(io.BytesIO(archive.read(case_name)))
    facts = {row.cells[0].text: row.cells[1].text for row in case.tables[0].rows}
    assert facts["活动名称"] == world.activity.name and facts["报送单位"] == world.org.name
    assert facts["参与（或受益）人数（人次）"].startswith("7（扫码签到2，现场计数5）")


def test_without_a_submitted_table_there_is_no_package(app, unit):
    web = lead_client(app, unit.lead)
    response = web.get(f"/unit/evidence/package.zip?campaign={unit.campaign.id}")
    assert response.status_code == 302
    page = web.get(f"/unit/evidence?campaign={unit.campaign.id}")
    assert "Submit the statistics table first" in page.text or "请先报送" in page.text


def test_hand_in_freezes_the_zip(app, world):
    web = lead_client(app, world.lead)
    app.config["WTF_CSRF_ENABLED"] = False
    try:
        response = web.post(f"/unit/evidence/hand-in?campaign={world.campaign.id}", data={"case": str(world.second.id)})
    finally:
        app.config["WTF_CSRF_ENABLED"] = True
    assert response.status_code == 302
    package = db.session.scalar(select(EvidencePackage))
    assert package.case_activity_id == world.second.id and package.photo_count == 2
    data = storage.read(storage.package_path(package))
    assert storage.sha256(data) == package.sha256
    downloaded = web.get(f"/unit/evidence/handed-in.zip?campaign={world.campaign.id}")
    assert downloaded.data == data


def test_a_missing_converter_is_a_clear_error_not_a_500(app, world):
    app.config["SOFFICE_BINARY"] = "/nonexistent/soffice"
    try:
        web = lead_client(app, world.lead)
        response = web.get(f"/unit/evidence/package.zip?campaign={world.campaign.id}")
    finally:
        app.config.pop("SOFFICE_BINARY")
    assert response.status_code == 503
    assert "LibreOffice" in response.text


def test_another_units_activity_cannot_be_the_case(app, world, make):
    other = make.activity(make.org(), world.campaign)
    web = lead_client(app, world.lead)
    assert web.get(f"/unit/evidence/package.zip?campaign={world.campaign.id}&case={other.id}").status_code == 404


def test_a_file_lost_from_the_storage_is_never_a_500(app, world):
    lost = db.session.scalars(select(Photo).where(Photo.in_package.is_(True))).first()
    storage.photo_path(lost).unlink()
    web = lead_client(app, world.lead)
    archive = zip_of(web.get(f"/unit/evidence/package.zip?campaign={world.campaign.id}"))
    assert len([n for n in archive.namelist() if n.startswith("03-照片/")]) == 1
    assert web.get(f"/unit/activities/{world.activity.id}/photos/{lost.client_id}.jpg").status_code == 404


def test_pdfs_are_made_once_per_content(app, world):
    web = lead_client(app, world.lead)
    first = zip_of(web.get(f"/unit/evidence/package.zip?campaign={world.campaign.id}"))
    # Without the converter, the same package still builds: nothing in it changed.
    app.config["SOFFICE_BINARY"] = "/nonexistent/soffice"
    try:
        again = zip_of(web.get(f"/unit/evidence/package.zip?campaign={world.campaign.id}"))
        assert again.read("01-情况统计表.pdf") == first.read("01-情况统计表.pdf")
        world.activity.name = "改了名字的活动"  # a change: its table and sign-in sheet need new PDFs
        db.session.commit()
        submissions.submit(world.campaign, world.org, world.lead)
        db.session.commit()
        assert web.get(f"/unit/evidence/package.zip?campaign={world.campaign.id}").status_code == 503
    finally:
        app.config.pop("SOFFICE_BINARY")
