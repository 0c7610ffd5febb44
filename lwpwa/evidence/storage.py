"""Files on disk under EVIDENCE_STORAGE (default instance/evidence): written to a temporary
name and renamed into place, so a crash leaves either the whole file or none; each file's
SHA-256 is computed from the bytes written and kept in its row."""
import hashlib
import os
import tempfile
from pathlib import Path

from flask import current_app

from ..config import INSTANCE_DIR


def root():
    return Path(current_app.config.get("EVIDENCE_STORAGE") or INSTANCE_DIR / "evidence")


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def photo_path(photo):
    return root() / "photos" / str(photo.org_id) / f"{photo.client_id}.jpg"


def package_path(package):
    return root() / "packages" / str(package.org_id) / f"{package.id}.zip"


def plan_path(plan):
    return root() / "plans" / str(plan.campaign_id) / f"{plan.owner.replace(':', '-')}.{plan.kind}"


def write(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".part-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def read(path):
    return path.read_bytes()


def remove(path):
    path.unlink(missing_ok=True)
