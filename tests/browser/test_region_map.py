"""The dashboards' map in a real browser: ECharts from static/vendor draws the children of the
region from map.json under the strict CSP (any violation or script error fails the test), and
the table beside it holds the same regions."""
import pytest
from playwright.sync_api import expect

from lwpwa.accounts.service import create_user
from lwpwa.extensions import db

from .helpers import PASSWORD
from .test_cards_print import sign_in_to_the_web


@pytest.fixture(scope="module")
def bureaus(live_server):
    with live_server.app.app_context():
        for name, region in (("map_shanxi", "140000"), ("map_country", "000000")):
            create_user(name, PASSWORD, "bureau", region_code=region)
        db.session.commit()


@pytest.mark.parametrize("username, code, children", [("map_shanxi", "140000", 11), ("map_country", "000000", 34)])
def test_the_map_draws_every_child_region(live_server, launch, new_context, bureaus, username, code, children):
    page = new_context(launch()).new_page()
    sign_in_to_the_web(page, username)
    page.goto(f"/region/{code}/?campaign={live_server.campaign_id}")
    expect(page.locator("#region-map canvas").first).to_be_visible(timeout=30_000)
    expect(page.locator("#region-map")).not_to_have_attribute("data-state", "failed")
    expect(page.locator("#map-figures tbody tr")).to_have_count(children)
    # ECharts knows every child's outline by its code (the series' data names the same codes).
    names = page.evaluate("""() => {
        const chart = echarts.getInstanceByDom(document.getElementById('region-map'));
        return chart.getOption().series[0].data.map(d => d.name);
    }""")
    assert len(names) == children and all(len(name) == 6 for name in names)
