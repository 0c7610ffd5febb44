"""static/app/clock.js: scan times with the device's offset, the activity's day, sync backoff."""
import json
import os
import shutil
import subprocess
from datetime import datetime, timezone

import pytest

from lwpwa.pwa.assets import APP_DIR


def run_js(expression, tz="Asia/Shanghai"):
    node = shutil.which("node")
    if node is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("node is required (it also installs the PWA's libraries)")
        pytest.skip("node is not installed")
    script = (f"import * as clock from {json.dumps((APP_DIR / 'clock.js').as_uri())};"
              f"console.log(JSON.stringify(await ({expression})));")
    result = subprocess.run([node, "--input-type=module", "-e", script], capture_output=True, text=True,
                            check=True, env={**os.environ, "TZ": tz})
    return json.loads(result.stdout)


@pytest.mark.parametrize("tz, expected", [
    ("Asia/Shanghai", "2026-11-22T09:31:02+08:00"),
    ("UTC", "2026-11-22T01:31:02+00:00"),
    ("America/St_Johns", "2026-11-21T22:01:02-03:30"),
])
def test_scan_times_carry_the_devices_offset(tz, expected):
    iso = run_js("clock.isoNow(new Date(Date.UTC(2026, 10, 22, 1, 31, 2)))", tz)
    assert iso == expected
    assert datetime.fromisoformat(iso) == datetime.fromisoformat("2026-11-22T01:31:02+00:00")


def test_the_day_is_the_activitys_own_day_whatever_the_phones_zone():
    # 17:30 UTC is already the next day in Shanghai.
    activity = {"starts_at": "2026-11-22T09:00:00+08:00"}
    moment = "new Date(Date.UTC(2026, 10, 22, 17, 30))"
    assert run_js(f"clock.activityDay({json.dumps(activity)}, {moment})", "UTC") == "2026-11-23"
    assert run_js(f"clock.activityDay({{starts_at: '2026-11-22T09:00:00Z'}}, {moment})", "Asia/Shanghai") == "2026-11-22"


def test_sync_retries_back_off_exponentially_up_to_five_minutes():
    waits = run_js("(() => { const out = []; let w = 0; for (let i = 0; i < 9; i++) out.push(w = clock.nextBackoff(w)); return out; })()")
    assert waits == [5000, 10000, 20000, 40000, 80000, 160000, 300000, 300000, 300000]


def test_ids_are_time_ordered_version_7_uuids_even_without_randomuuid():
    import uuid

    ids = run_js(f"import({json.dumps((APP_DIR / 'ids.js').as_uri())}).then(({{ newId }}) => {{"
                 " const plain = { getRandomValues: (a) => crypto.getRandomValues(a) };"
                 " return [newId(), newId(plain), newId(plain, Date.UTC(2026, 10, 22, 1, 31, 2, 7)),"
                 " newId(plain, Date.UTC(2026, 10, 22, 1, 31, 2, 8))]; })")
    assert len(set(ids)) == 4
    for text in ids:
        assert uuid.UUID(text).version == 7 and str(uuid.UUID(text)) == text
        assert uuid.UUID(text).variant == uuid.RFC_4122
    # The first 48 bits are the milliseconds: later ids sort after earlier ones, as text too.
    expected_ms = int(datetime(2026, 11, 22, 1, 31, 2, 7000, tzinfo=timezone.utc).timestamp() * 1000)
    assert uuid.UUID(ids[2]).int >> 80 == expected_ms
    assert ids[2] < ids[3] < ids[0]
