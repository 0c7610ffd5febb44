"""Activity photos: stored once by the phone's id, metadata gone, at most 20, images only,
never visible outside the unit."""
import base64
import io
import uuid

import pytest
from evidence_helpers import GPS_IFD, lead_client, photo_with_gps, upload
from PIL import Image
from sqlalchemy import func, select

from lwpwa.evidence import storage
from lwpwa.evidence.models import Photo
from lwpwa.extensions import db


@pytest.fixture(autouse=True)
def storage_dir(app, tmp_path):
    """Each test its own storage directory, so files of one test never count in another."""
    before = app.config["EVIDENCE_STORAGE"]
    app.config["EVIDENCE_STORAGE"] = str(tmp_path / "evidence")
    yield
    app.config["EVIDENCE_STORAGE"] = before


def stored_files(app):
    root = storage.root()
    return sorted(p for p in (root / "photos").rglob("*.jpg")) if (root / "photos").exists() else []


def test_upload_strips_exif_and_gps_and_resizes(client, unit):
    response, photo_id = upload(client, unit.headers, unit.activity.id, photo_with_gps())
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["id"] == photo_id and body["status"] == "stored"
    assert max(body["width"], body["height"]) == 1600
    photo = db.session.scalar(select(Photo).where(Photo.client_id == photo_id))
    data = storage.photo_path(photo).read_bytes()
    assert storage.sha256(data) == body["sha256"] == photo.sha256
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    exif = image.getexif()
    assert len(exif) == 0 and not exif.get_ifd(GPS_IFD)
    assert b"TestPhone" not in data and b"Exif" not in data


def test_orientation_is_applied_before_the_tag_goes(client, unit):
    response, _id = upload(client, unit.headers, unit.activity.id, photo_with_gps(size=(800, 400), orientation=6))
    assert response.status_code == 201
    assert (response.get_json()["width"], response.get_json()["height"]) == (400, 800)


def test_a_resend_uploads_nothing_twice(app, client, unit):
    data = photo_with_gps()
    first, photo_id = upload(client, unit.headers, unit.activity.id, data)
    path = storage.photo_path(db.session.scalar(select(Photo).where(Photo.client_id == photo_id)))
    written = path.stat().st_mtime_ns
    again, _same = upload(client, unit.headers, unit.activity.id, data, photo_id=photo_id)
    assert first.status_code == 201 and again.status_code == 200
    assert again.get_json() == first.get_json()
    assert db.session.scalar(select(func.count()).select_from(Photo)) == 1
    assert path.stat().st_mtime_ns == written  # not written again
    listed = client.get(f"/api/v1/activities/{unit.activity.id}/photos", headers=unit.headers).get_json()
    assert [p["id"] for p in listed["photos"]] == [photo_id] and listed["limit"] == 20


def test_non_images_are_refused_by_content_not_name(client, unit):
    for data in (b"%PDF-1.4 not a photo", b"", b"\xff\xd8\xff\xe0 truncated jpeg", b"<svg xmlns='http://www.w3.org/2000/svg'/>"):
        response, _id = upload(client, unit.headers, unit.activity.id, data)
        assert response.status_code == 415, data
        assert response.get_json()["error"]["code"] == "not_an_image"
    assert db.session.scalar(select(func.count()).select_from(Photo)) == 0


def test_a_png_named_txt_is_taken_and_stored_as_jpeg(client, unit):
    out = io.BytesIO()
    Image.new("RGBA", (50, 40), (0, 0, 255, 128)).save(out, "PNG")
    response = client.post(f"/api/v1/activities/{unit.activity.id}/photos", headers=unit.headers,
                           data={"id": str(uuid.uuid4()), "file": (io.BytesIO(out.getvalue()), "notes.txt", "text/plain")},
                           content_type="multipart/form-data")
    assert response.status_code == 201
    assert (response.get_json()["width"], response.get_json()["height"]) == (50, 40)


def test_json_upload_with_base64(client, unit):
    photo_id = str(uuid.uuid4())
    body = {"id": photo_id, "data": base64.b64encode(photo_with_gps(size=(100, 100))).decode()}
    response = client.post(f"/api/v1/activities/{unit.activity.id}/photos", headers=unit.headers, json=body)
    assert response.status_code == 201
    bad = client.post(f"/api/v1/activities/{unit.activity.id}/photos", headers=unit.headers,
                      json={"id": str(uuid.uuid4()), "data": "not base64!"})
    assert bad.status_code == 400 and "data" in bad.get_json()["error"]["fields"]
    bad = client.post(f"/api/v1/activities/{unit.activity.id}/photos", headers=unit.headers,
                      json={"id": "nope", "taken_at": "yesterday"})
    assert bad.status_code == 400
    assert set(bad.get_json()["error"]["fields"]) == {"id", "taken_at", "file"}
    assert client.post(f"/api/v1/activities/{unit.activity.id}/photos", headers=unit.headers,
                       data="{", content_type="application/json").get_json()["error"]["code"] == "invalid_json"


def test_at_most_twenty_per_activity_and_removing_frees_a_slot(app, client, unit, make):
    data = photo_with_gps(size=(64, 48))
    ids = []
    for _n in range(20):
        response, photo_id = upload(client, unit.headers, unit.activity.id, data)
        assert response.status_code == 201
        ids.append(photo_id)
    response, _id = upload(client, unit.headers, unit.activity.id, data)
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "too_many_photos"
    # A resend of a stored one still answers as before, even at the limit.
    assert upload(client, unit.headers, unit.activity.id, data, photo_id=ids[0])[0].status_code == 200
    # The site lead removes one: the slot is free, the removed id stays known.
    web = lead_client(app, unit.lead)
    app.config["WTF_CSRF_ENABLED"] = False
    try:
        page = web.post(f"/unit/activities/{unit.activity.id}/photos", data={"photo": ids[0], "action": "remove"})
    finally:
        app.config["WTF_CSRF_ENABLED"] = True
    assert page.status_code == 302 and page.headers["Location"].endswith("/photos")
    again = upload(client, unit.headers, unit.activity.id, data, photo_id=ids[0])[0]
    assert again.status_code == 200 and again.get_json()["status"] == "removed"
    assert upload(client, unit.headers, unit.activity.id, data)[0].status_code == 201
    assert len(stored_files(app)) == 20


def test_an_id_of_another_activity_is_a_conflict(client, unit, make):
    other = make.activity(unit.org, unit.campaign)
    _first, photo_id = upload(client, unit.headers, unit.activity.id, photo_with_gps(size=(10, 10)))
    response, _same = upload(client, unit.headers, other.id, photo_with_gps(size=(10, 10)), photo_id=photo_id)
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "id_conflict"


def test_photos_stay_inside_the_unit(app, client, unit, make):
    _r, photo_id = upload(client, unit.headers, unit.activity.id, photo_with_gps(size=(10, 10)))
    other_org = make.org()
    stranger = make.auth(make.user("volunteer", org=other_org))
    bureau = make.auth(make.user("bureau", region_code="140100"))
    assert upload(client, stranger, unit.activity.id, b"x")[0].status_code == 404
    assert client.get(f"/api/v1/activities/{unit.activity.id}/photos", headers=stranger).status_code == 404
    assert client.get(f"/api/v1/activities/{unit.activity.id}/photos", headers=bureau).status_code == 403
    web = lead_client(app, unit.lead)
    image = web.get(f"/unit/activities/{unit.activity.id}/photos/{photo_id}.jpg")
    assert image.status_code == 200 and image.mimetype == "image/jpeg"
    assert web.get(f"/unit/activities/{unit.activity.id}/photos").status_code == 200
    other_lead = make.user("site_lead", org=other_org)
    web2 = lead_client(app, other_lead)
    assert web2.get(f"/unit/activities/{unit.activity.id}/photos/{photo_id}.jpg").status_code == 404


def test_the_upload_is_declared_nulls_empties_and_unknown_parts(client, unit):
    url = f"/api/v1/activities/{unit.activity.id}/photos"
    image = photo_with_gps(size=(20, 20))
    encoded = base64.b64encode(image).decode()

    def fields(response):
        assert response.status_code == 400, response.get_data(as_text=True)
        return set(response.get_json()["error"]["fields"])

    # JSON: taken_at may be null (not known); the id and the file may not.
    assert fields(client.post(url, headers=unit.headers, json={"id": None, "data": None})) == {"id", "file"}
    assert fields(client.post(url, headers=unit.headers, json={"id": str(uuid.uuid4()), "data": encoded,
                                                                "taken_at": "1543-01-20T00:58:33+08:00"})) == {"taken_at"}
    taken = client.post(url, headers=unit.headers, json={"id": str(uuid.uuid4()).upper(), "data": encoded,
                                                          "taken_at": None, "ignored": [1]})
    assert taken.status_code == 201 and taken.get_json()["taken_at"] is None
    assert taken.get_json()["id"] == taken.get_json()["id"].lower()
    # A form: an empty field is no value, a field given twice or one it does not have is refused.
    photo_id = str(uuid.uuid4())
    sent = client.post(url, headers=unit.headers, content_type="multipart/form-data",
                       data={"id": photo_id, "taken_at": "", "file": (io.BytesIO(image), "p.jpg")})
    assert sent.status_code == 201 and sent.get_json()["taken_at"] is None
    assert fields(client.post(url, headers=unit.headers, content_type="multipart/form-data",
                              data={"id": [photo_id, photo_id], "file": (io.BytesIO(image), "p.jpg")})) == {"id"}
    assert fields(client.post(url, headers=unit.headers, content_type="multipart/form-data",
                              data={"id": photo_id, "note": "x", "file": (io.BytesIO(image), "p.jpg")})) == {"note"}
    assert fields(client.post(url, headers=unit.headers, content_type="multipart/form-data",
                              data={"id": photo_id, "file": "not a file part"})) == {"file"}
