"""A long queue goes in batches of at most 500, in the order it was scanned."""
import json
import uuid
from datetime import datetime

from playwright.sync_api import expect

from .helpers import ZONE
from .pages import expect_pending, sign_in


def test_a_long_queue_is_sent_in_batches_of_at_most_500(live_server, launch, new_context, tmp_path):
    activity = live_server.new_activity()
    now = datetime.now(ZONE).replace(microsecond=0).isoformat()
    items = [{"id": str(uuid.uuid4()), "activity_id": activity["id"], "kind": "attendee", "code": None,
              "headcount": 1, "scanned_at": now} for _ in range(501)]
    rescue = tmp_path / "rescue.json"
    rescue.write_text(json.dumps({"format": "lwpwa-outbox", "version": 1, "checkins": items}))

    context = new_context(launch())
    page = context.new_page()
    batches = []
    page.on("requestfinished", lambda r: r.url.endswith("/api/v1/sync") and batches.append(r.post_data_json["checkins"]))
    sign_in(page)
    expect(page.locator("#import")).to_be_visible()
    context.set_offline(True)
    page.set_input_files("#import-file", rescue)
    expect_pending(page, 501)
    context.set_offline(False)
    expect_pending(page, 0)

    sent = [b for b in batches if b]
    assert [len(b) for b in sent] == [500, 1]
    assert [item["id"] for batch in sent for item in batch] == [item["id"] for item in items]
    assert live_server.stats(activity["id"])["headcount"] == 501
