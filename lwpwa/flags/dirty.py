"""Marking activities whose flags must be recomputed: called by every write of check-ins
(through `counters.Counts.apply`, in the same transaction) and of activities."""
from sqlalchemy import text

from ..extensions import db

_UPSERT = ("INSERT INTO flag_dirty (activity_id, version) VALUES (:a, 1) "
           "ON CONFLICT (activity_id) DO UPDATE SET version = flag_dirty.version + 1")


def mark_dirty(activity_ids):
    """One upsert per activity, in id order (two writers lock the rows in one order). The
    version bump, not just the row, matters: a recomputation that read version 3 removes the
    mark only if it is still 3, so a write that lands during a recomputation is not lost."""
    ids = sorted({int(a) for a in activity_ids if a is not None})
    if ids:
        db.session.execute(text(_UPSERT), [{"a": a} for a in ids])
