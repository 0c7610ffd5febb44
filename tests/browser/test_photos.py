"""Activity photos: taken offline, queued on the phone, uploaded after reconnecting, exactly
once even when an answer is lost, resized and stripped of EXIF/GPS; a non-image is refused."""
import io
import sqlite3
from pathlib import Path

import requests
from PIL import Image
from playwright.sync_api import expect

from evidence_helpers import GPS_IFD, photo_with_gps
from .pages import sign_in, wait_for_service_worker


def stored_photos(live_server):
    path = live_server.app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT client_id, org_id, width, height FROM evidence_photos "
                                  "ORDER BY id").fetchall()


def stored_file(live_server, client_id, org_id):
    return (Path(live_server.app.config["EVIDENCE_STORAGE"]) / "photos" / str(org_id) / f"{client_id}.jpg").read_bytes()


def test_offline_photo_is_uploaded_once_after_reconnecting(live_server, launch, new_context, tmp_path):
    activity = live_server.new_activity("照片活动")
    picture = tmp_path / "door.jpg"
    picture.write_bytes(photo_with_gps(size=(3200, 2400)))
    context = new_context(launch())
    page = context.new_page()
    sign_in(page)
    expect(page.locator(f"[data-activity-id='{activity['id']}']")).to_be_visible()
    wait_for_service_worker(page)

    context.set_offline(True)
    page.goto(f"/app/?activity={activity['id']}")
    page.click("#photos-link")
    expect(page.locator("#photo-capture-label")).to_be_visible()
    assert page.locator("#photo-capture").get_attribute("capture") == "environment"
    page.set_input_files("#photo-capture", picture)
    expect(page.locator("#photo-list")).to_have_attribute("data-pending", "1")
    assert stored_photos(live_server) == []

    # Back online, the first answer is lost on the way back: the server stored it, the phone
    # does not know and keeps it queued.
    lost = []

    def lose_answer(route):
        route.fetch()  # reaches the server
        lost.append(route.request.url)
        route.abort()

    page.route("**/api/v1/activities/*/photos", lose_answer)
    with page.expect_event("requestfailed"):
        context.set_offline(False)  # the "online" event starts the upload
    assert lost
    expect(page.locator("#photo-list")).to_have_attribute("data-pending", "1")
    rows = stored_photos(live_server)
    assert len(rows) == 1
    client_id, org_id, width, height = rows[0]
    first_bytes = stored_file(live_server, client_id, org_id)

    # The phone sends it again: the server answers "already stored" and writes nothing.
    page.unroute("**/api/v1/activities/*/photos")
    page.click("#back")
    page.click("#photos-link")
    expect(page.locator("#photo-list")).to_have_attribute("data-uploaded", "1")
    expect(page.locator("#photo-list")).to_have_attribute("data-pending", "0")
    assert stored_photos(live_server) == rows
    assert stored_file(live_server, client_id, org_id) == first_bytes
    assert (width, height) == (1600, 1200)
    image = Image.open(io.BytesIO(first_bytes))
    assert len(image.getexif()) == 0 and not image.getexif().get_ifd(GPS_IFD)
    assert b"TestPhone" not in first_bytes


def test_a_file_that_is_no_image_is_not_queued(live_server, launch, new_context, tmp_path):
    activity = live_server.new_activity("照片活动2")
    fake = tmp_path / "photo.jpg"
    fake.write_bytes(b"%PDF-1.4 this is no picture")
    page = new_context(launch()).new_page()
    sign_in(page)
    expect(page.locator(f"[data-activity-id='{activity['id']}']")).to_be_visible()  # signed in: the token is kept
    page.goto(f"/app/?activity={activity['id']}&photos=1")
    page.set_input_files("#photo-capture", fake)
    expect(page.locator("#photo-message")).not_to_be_empty()
    expect(page.locator("#photo-list li.empty")).to_be_visible()
    # And the server refuses it by content as well.
    token = live_server.api.token("volunteer1")
    response = requests.post(f"{live_server.url}/api/v1/activities/{activity['id']}/photos",
                             headers={"Authorization": f"Bearer {token}"},
                             data={"id": "0190a8c4-1234-7000-8000-000000000001"},
                             files={"file": ("photo.jpg", fake.read_bytes(), "image/jpeg")})
    assert response.status_code == 415 and response.json()["error"]["code"] == "not_an_image"
