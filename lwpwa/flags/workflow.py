"""The answer of the unit and the review of the bureau: each kept on the flag and in its
history, so that the bureau reads the unit's explanation and the flag keeps every step."""
from sqlalchemy import select

from ..database import utcnow
from ..extensions import db
from .models import FlagEvent


def explain(flag, user, text):
    now = utcnow()
    flag.explanation, flag.explained_by_id, flag.explained_at = text, user.id, now
    if flag.status == "open":
        flag.status = "explained"
    db.session.add(FlagEvent(flag_id=flag.id, at=now, action="explained", user_id=user.id, count=flag.count, note=text))
    db.session.flush()


def review(flag, user, note):
    now = utcnow()
    flag.review_note, flag.reviewed_by_id, flag.reviewed_at, flag.status = note, user.id, now, "reviewed"
    db.session.add(FlagEvent(flag_id=flag.id, at=now, action="reviewed", user_id=user.id, count=flag.count, note=note))
    db.session.flush()


def history(flag):
    """[(event, username or None)] oldest first."""
    from ..accounts.models import User
    return db.session.execute(
        select(FlagEvent, User.username).outerjoin(User, User.id == FlagEvent.user_id)
        .where(FlagEvent.flag_id == flag.id).order_by(FlagEvent.at, FlagEvent.id)).all()
