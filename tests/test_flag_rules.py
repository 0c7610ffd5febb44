"""Every rule raises nothing on an honest city, and each fraud pattern of issue 16, with each of
its dodges, is flagged for what it is, naming the fraud's activities and no honest one."""
import pytest
from flag_city import FRAUDS, build_city

from lwpwa.bureau.anomalies import region_flags
from lwpwa.extensions import db
from lwpwa.flags import refresh
from lwpwa.regions.models import Region


def flags_of(city):
    left = refresh.refresh(city.campaign)
    db.session.commit()
    assert left == 0
    return region_flags(city.campaign, db.session.get(Region, "140000"))


def describe(flags):
    return [(f.kind, f.key, f.count, f.detail) for f in flags]


def test_the_honest_city_raises_nothing(app):
    city = build_city()
    assert len(city.activities) == 59
    assert len({a.org_id for a in city.activities.values()}) == 8
    flags = flags_of(city)
    assert flags == [], describe(flags)


@pytest.mark.parametrize("fraud", FRAUDS, ids=[f.__name__ for f in FRAUDS])
def test_each_fraud_is_flagged_and_nothing_honest(app, fraud):
    city = build_city()
    honest = set(city.activities)
    expected = fraud(city)
    city.write()
    flags = flags_of(city)
    of_kind = [f for f in flags if f.kind == expected["kind"]]
    assert of_kind, describe(flags)
    named = set().union(*(set(f.activity_ids) for f in of_kind))
    assert named & expected["activity_ids"], describe(flags)
    touched_honest = [f for f in flags if set(f.activity_ids) & honest]
    assert touched_honest == [], describe(touched_honest)
