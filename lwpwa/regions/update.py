"""Applying a release of the codes to the database, like a migration: what changed is recorded.

- A new code is added; a code whose name (or parent) changed is updated in place (`renamed`).
- A code the release no longer has is *moved* when it can be: to the code a mapping names
  (`update-regions --changes FILE`, as the 民政部's change lists give them), or to a code new
  in this release with the same name in the same province (a recoding). Its units, bureau
  users and campaigns move to the new code in the same transaction; the old row stays, not
  current, naming its successor, so nothing that refers to it breaks, and one `region_changes`
  row says what happened (`recoded` to a new code, `merged` into one that other codes also
  join or that existed before).
- A dropped code that nothing refers to is `retired`. A dropped code with units and no
  successor stops the update (`UnmappedCodes`): nothing is applied until a mapping names one.

`init-db` applies the installed release with `strict=False`: it adds and renames, and keeps
(current) any dropped code, so that rerunning it never moves a unit; `update-regions` is the
step that moves them.
"""
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, insert, select, update

from ..extensions import db
from .models import Region, RegionChange, RegionRelease


class UnmappedCodes(Exception):
    """Dropped codes that still hold units, users or campaigns and have no successor."""

    def __init__(self, codes):
        super().__init__(", ".join(codes))
        self.codes = codes


@dataclass
class Outcome:
    release: RegionRelease | None
    changes: list = field(default_factory=list)
    kept: list = field(default_factory=list)

    def counts(self):
        return Counter(change.kind for change in self.changes)


def _holders():
    """The models whose rows name a region, with the column: what a move carries over."""
    from ..accounts.models import User
    from ..campaigns.models import Campaign
    from ..orgs.models import Org

    return Org, (Org.region_code, User.region_code, Campaign.region_code)


def attached(code):
    _org, columns = _holders()
    return sum(db.session.scalar(select(func.count()).where(column == code)) for column in columns)


def read_mapping(lines):
    """{old: new} from lines `OLD,NEW` (or whitespace-separated); `#` starts a comment."""
    mapping = {}
    for number, line in enumerate(lines, start=1):
        text = line.split("#", 1)[0].replace(",", " ").split()
        if not text:
            continue
        if len(text) != 2 or not all(len(c) == 6 and c.isdigit() for c in text):
            raise ValueError(f"line {number}: expected OLD,NEW (two six-digit codes), got {line.strip()!r}")
        mapping[text[0]] = text[1]
    return mapping


def apply_release(release, mapping=None, strict=True):
    """Bring the regions table to `release`; returns the Outcome (flushed, not committed)."""
    mapping = mapping or {}
    last = db.session.scalars(select(RegionRelease).order_by(RegionRelease.id.desc()).limit(1)).first()
    existing = {r.code: r for r in db.session.scalars(select(Region))}
    wanted = release.codes()
    changes, added_rows = [], []
    for code, name, level, parent in release.rows:
        row = existing.get(code)
        if row is None:
            added_rows.append({"code": code, "name": name, "level": level, "parent_code": parent,
                               "current": True})
            if last is not None:  # the first load adds everything: no change to record
                changes.append(RegionChange(kind="added", new_code=code, new_name=name))
            continue
        if row.name != name:
            changes.append(RegionChange(kind="renamed", old_code=code, new_code=code,
                                        old_name=row.name, new_name=name))
        row.name, row.level, row.parent_code = name, level, parent
        row.current, row.successor_code = True, None
    if added_rows:
        db.session.execute(insert(Region), added_rows)

    dropped = sorted(code for code, row in existing.items() if row.current and code not in wanted)
    targets = {code: _successor(existing[code], mapping, added_rows, wanted) for code in dropped}
    unmapped = [code for code in dropped if targets[code] is None and attached(code)]
    if unmapped and strict:
        raise UnmappedCodes(unmapped)
    joined = Counter(target for target in targets.values() if target)
    kept = []
    for code in dropped:
        row, target = existing[code], targets[code]
        if target is None and (code in unmapped or not strict):
            kept.append(code)
            continue
        if target is None:
            row.current = False
            changes.append(RegionChange(kind="retired", old_code=code, old_name=row.name))
            continue
        if not strict:
            kept.append(code)
            continue
        recoded = target not in existing and joined[target] == 1
        changes.append(RegionChange(kind="recoded" if recoded else "merged", old_code=code, new_code=target,
                                    old_name=row.name, new_name=wanted[target][1],
                                    units_moved=_move(code, target)))
        row.current, row.successor_code = False, target

    if not changes and last is not None and (last.source, last.version) == (release.source, release.version):
        return Outcome(None, [], kept)
    applied = RegionRelease(source=release.source, version=release.version, data_date=release.data_date,
                            regions=len(release.rows))
    db.session.add(applied)
    db.session.flush()
    for change in changes:
        change.release_id = applied.id
    db.session.add_all(changes)
    db.session.flush()
    return Outcome(applied, changes, kept)


def _successor(old, mapping, added_rows, wanted):
    """The mapping's code for `old`, else the one code new in this release with its name and
    level in its province, else None."""
    target = mapping.get(old.code)
    if target is not None:
        if target not in wanted:
            raise ValueError(f"the mapping moves {old.code} to {target}, which the release does not have")
        return target
    same_name = [row["code"] for row in added_rows
                 if row["name"] == old.name and row["level"] == old.level and row["code"][:2] == old.code[:2]]
    return same_name[0] if len(same_name) == 1 else None


def _move(old, new):
    """Units, bureau users and campaigns of `old` now belong to `new`; returns the units moved.
    A unit whose name is taken at `new` (two merged districts' 社区学校) keeps it with its old
    region's name added, as the unique (region, name) requires."""
    Org, columns = _holders()
    old_name = db.session.get(Region, old).name
    taken = select(Org.name).where(Org.region_code == new).scalar_subquery()
    db.session.execute(
        update(Org).where(Org.region_code == old, Org.name.in_(taken))
        .values(name=func.substr(Org.name, 1, 190) + f"（{old_name}）").execution_options(synchronize_session=False))
    moved = 0
    for column in columns:
        result = db.session.execute(update(column.class_).where(column == old).values({column.key: new})
                                    .execution_options(synchronize_session=False))
        if column.class_ is Org:
            moved = result.rowcount
    return moved
