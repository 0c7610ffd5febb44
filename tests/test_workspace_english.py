"""The workspace in English: every page renders with the English catalog (msgids), in Chinese by
default, and the official labels of the table stay Chinese in both."""
from test_workspace_support import lead  # noqa: F401 (fixtures)

PAGES = ("/unit/", "/unit/table", "/unit/table/print", "/unit/review", "/unit/volunteers", "/unit/import",
         "/unit/activities/new")


def test_every_page_in_chinese_and_in_english(lead, unit):
    pages = PAGES + (f"/unit/activities/{unit.activity.id}", f"/unit/activities/{unit.activity.id}/edit",
                     f"/unit/activities/{unit.activity.id}/sign-in-sheet")
    chinese = {path: lead.get(path).get_data(as_text=True) for path in pages}
    assert "情况统计表" in chinese["/unit/"] and "Statistics table" not in chinese["/unit/"]
    lead.get("/lang/en")
    for path in pages:
        response = lead.get(path)
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        assert html != chinese[path]
    assert "Needs your attention" in lead.get("/unit/").get_data(as_text=True)
    table = lead.get("/unit/table").get_data(as_text=True)
    assert "Submit to the bureau" in table
    assert "活动主题" in table and "参与（或受益）人数（人次）" in table  # the notice's own labels
