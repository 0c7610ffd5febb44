"""The sign-in sheet (签到表) of one activity as .xlsx, for print and PDF: names masked (张*),
tallies as "N people without a code", header rows repeated on every A4 page, page numbers."""
from openpyxl import Workbook

from .xlsx import BOLD, CENTER, TITLE, WRAP, fit_row_heights, merge, paged_a4, put, set_widths

AGE_LABELS = {"under_14": "14岁以下", "14_17": "14–17岁", "18_59": "18–59岁", "60_plus": "60岁及以上"}
KIND_LABELS = {"attendee": "参与者", "volunteer": "志愿者"}
HEADERS = ("序号", "签到时间", "姓名", "年龄段", "社区", "类别")
# Portrait A4 holds 7.47 in between the margins: 75 width units at LibreOffice's 9.3 px each.
WIDTHS = (6, 13, 14, 12, 22, 8)


def sign_in_workbook(org, activity, stats, rows):
    workbook = Workbook()
    ws = workbook.active
    ws.title = "签到表"
    zone = activity.campaign.zone
    last = len(HEADERS)
    merge(ws, 1, 1, last, f"签到表 · {activity.name}", font=TITLE, align=CENTER)
    ws.row_dimensions[1].height = 30
    merge(ws, 2, 1, last, f"单位：{org.name}    地点：{activity.venue or ''}    时间："
          f"{activity.starts_at.astimezone(zone):%Y-%m-%d %H:%M} – {activity.ends_at.astimezone(zone):%Y-%m-%d %H:%M}")
    merge(ws, 3, 1, last, f"参与（或受益）人数（人次）：{stats['attendance']}（扫码签到 {stats['scanned']}，"
          f"现场计数 {stats['headcount']}）    志愿者人数（人次）：{stats['volunteers']}")
    for column, header in enumerate(HEADERS, start=1):
        put(ws, 4, column, header, font=BOLD, align=CENTER, box=True)
    for index, row in enumerate(rows, start=1):
        name = f"{row['headcount']}人（未扫码，现场计数）" if row["headcount"] else row["name"]
        values = (index, row["time"].strftime("%m-%d %H:%M"), name, AGE_LABELS.get(row["age_group"], ""),
                  row["community"], KIND_LABELS.get(row["kind"], row["kind"]))
        for column, value in enumerate(values, start=1):
            put(ws, 4 + index, column, value, box=True, align=CENTER if column in (1, 2, 6) else WRAP)
    merge(ws, 6 + len(rows), 1, last, "注：为保护居民个人信息，姓名已作遮蔽处理。")
    set_widths(ws, WIDTHS)
    fit_row_heights(ws, 2, 6 + len(rows))
    paged_a4(ws, header_rows="4:4", footer_left=f"{org.name} · {activity.name}", landscape=False)
    return workbook
