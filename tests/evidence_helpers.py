"""Images for the evidence tests: a JPEG with EXIF and GPS, as a phone camera writes it."""
import io
import uuid

from PIL import Image

GPS_IFD = 0x8825
MAKE, ORIENTATION = 0x010F, 0x0112


def photo_with_gps(size=(2400, 1800), color=(200, 60, 40), orientation=None):
    image = Image.new("RGB", size, color)
    exif = Image.Exif()
    exif[MAKE] = "TestPhone"
    if orientation:
        exif[ORIENTATION] = orientation
    exif[GPS_IFD] = {1: "N", 2: (37.0, 51.0, 30.0), 3: "E", 4: (112.0, 33.0, 0.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=90)
    return out.getvalue()


def upload(client, headers, activity_id, data, photo_id=None, taken_at="2026-12-01T10:00:00+08:00"):
    photo_id = photo_id or str(uuid.uuid4())
    return client.post(f"/api/v1/activities/{activity_id}/photos", headers=headers,
                       data={"id": photo_id, "taken_at": taken_at,
                             "file": (io.BytesIO(data), "photo.jpg", "image/jpeg")},
                       content_type="multipart/form-data"), photo_id


def lead_client(app, user):
    """A browser session of `user` (CSRF off for the login only), each request in an app
    context of its own (conftest.IsolatedClient), so no signed-in user lingers in `g`."""
    from conftest import IsolatedClient

    web = IsolatedClient(app, app.response_class, use_cookies=True)
    enabled = app.config["WTF_CSRF_ENABLED"]
    app.config["WTF_CSRF_ENABLED"] = False
    try:
        response = web.post("/login", data={"username": user.username, "password": "correct horse battery"})
    finally:
        app.config["WTF_CSRF_ENABLED"] = enabled
    assert response.status_code == 302
    return web
