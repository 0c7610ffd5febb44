"""Storing activity photos exactly once: the phone's id is unique, a resend answers the stored
photo without writing anything; at most 20 per activity, held by a unique slot number."""
from datetime import timezone

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..database import utcnow
from ..errors import ApiError
from ..extensions import db
from . import storage
from .images import NotAnImage, clean_photo
from .models import MAX_PHOTOS_PER_ACTIVITY, Photo


def by_client_id(client_id):
    return db.session.scalar(select(Photo).where(Photo.client_id == client_id))


def known_answer(photo, activity):
    """A photo already stored under this id: the same answer again, or 409 if the id is taken
    by another activity (ids are made on phones: a clash is a bug, never another unit's data)."""
    if photo.activity_id != activity.id:
        raise ApiError(409, "id_conflict", _("This photo id is already used for another activity."))
    return photo


def free_slot(activity_id):
    used = set(db.session.scalars(select(Photo.slot).where(Photo.activity_id == activity_id,
                                                           Photo.slot.is_not(None))))
    for slot in range(1, MAX_PHOTOS_PER_ACTIVITY + 1):
        if slot not in used:
            return slot
    raise ApiError(409, "too_many_photos",
                   _("This activity already has %(n)d photos. Remove one to add another.",
                     n=MAX_PHOTOS_PER_ACTIVITY))


def store_photo(user, activity, client_id, taken_at, data):
    """(photo, created): created is False when the id was stored before (nothing written).
    The fields are those of an upload's declaration (lwpwa.evidence.declarations): the id in
    lower case, the time when it was taken (aware, or None), the file's bytes."""
    taken_at = taken_at.astimezone(timezone.utc) if taken_at else None
    existing = by_client_id(client_id)
    if existing is not None:
        return known_answer(existing, activity), False
    try:
        jpeg, width, height = clean_photo(data)
    except NotAnImage:
        raise ApiError(415, "not_an_image", _("This file is not a photo (JPEG, PNG or WebP).")) from None
    for _attempt in range(3):
        photo = Photo(client_id=client_id, activity_id=activity.id, org_id=activity.org_id,
                      slot=free_slot(activity.id), uploaded_by_id=user.id, taken_at=taken_at,
                      sha256=storage.sha256(jpeg), size_bytes=len(jpeg), width=width, height=height)
        try:
            with db.session.begin_nested():
                db.session.add(photo)
        except IntegrityError:
            # Another request took this id or this slot meanwhile (PostgreSQL, several workers).
            existing = by_client_id(client_id)
            if existing is not None:
                return known_answer(existing, activity), False
            continue
        storage.write(storage.photo_path(photo), jpeg)
        return photo, True
    raise ApiError(409, "conflict", _("Please try again."))


def activity_photos(activity_id, include_removed=False):
    query = select(Photo).where(Photo.activity_id == activity_id)
    if not include_removed:
        query = query.where(Photo.removed_at.is_(None))
    return db.session.scalars(query.order_by(Photo.slot, Photo.id)).all()


def remove(photo):
    """The file goes, the row stays as a tombstone: a resend of its id still uploads nothing."""
    photo.removed_at = utcnow()
    photo.slot = None
    photo.in_package = False
    db.session.flush()
    storage.remove(storage.photo_path(photo))


def photo_bytes(photo):
    return storage.read(storage.photo_path(photo))
