"""Word drafts for the lead to edit (python-docx): the 工作总结 filled from the figures, and a
典型案例 template pre-filled from one activity. Chinese text in 宋体 / 黑体 with the East Asian
font set, as Word and WPS need it."""
import io

from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt

from ..activities.reference import FORM_LABELS, MODE_LABELS, THEME_LABELS


def _fonts(document):
    for name, east_asian, size in (("Normal", "宋体", 12), ("Heading 1", "黑体", 16), ("Heading 2", "黑体", 14)):
        style = document.styles[name]
        style.font.name = east_asian
        style.font.size = Pt(size)
        style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), east_asian)


def _new():
    document = Document()
    _fonts(document)
    return document


def _bytes(document):
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _table(document, header, rows):
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header):
        cell.text = str(text)
    for row in rows:
        for cell, text in zip(table.add_row().cells, row):
            cell.text = str(text)
    return table


def summary_docx(campaign, author, figures, region_level=False):
    """工作总结（草稿）: the figures in sentences and a table per theme; the rest for the lead."""
    document = _new()
    document.add_heading(f"{author}{campaign.title}工作总结（草稿）", level=1)
    if campaign.slogan:
        document.add_paragraph(f"活动主题：{campaign.slogan}")
    f = figures
    units = f"汇总{f['units']}个单位已报送的情况统计表，" if region_level else ""
    document.add_heading("一、基本情况", level=2)
    document.add_paragraph(
        f"{units}活动周期间共开展活动{f['activities']}项，历时{f['days']}天，参与（或受益）"
        f"{f['attendance']}人次，其中扫码签到{f['attendance_scanned']}人次、现场计数"
        f"{f['attendance_tallied']}人次（扫码核验占{f['verified_share']}%）；志愿者"
        f"{f['volunteers']}人次。“智慧助老”活动{f['smart_seniors_activities']}项，参与"
        f"{f['smart_seniors_attendance']}人次，占全部人次的{f['smart_seniors_share']}%。"
        f"新闻报道{f['news_links']}条。")
    document.add_heading("二、各主题活动开展情况", level=2)
    _table(document, ("活动主题", "活动数（项）", "参与（或受益）人数（人次）", "志愿者人数（人次）"),
           [(t["label"], t["activities"], t["attendance"], t["volunteers"]) for t in f["themes"]])
    for heading in ("三、主要做法和特色亮点", "四、存在的问题", "五、下一步工作打算"):
        document.add_heading(heading, level=2)
        document.add_paragraph("（请填写）")
    document.add_paragraph("")
    document.add_paragraph(f"{author}")
    document.add_paragraph("年    月    日")
    return _bytes(document)


def case_docx(campaign, org, activity, counts, photo_names):
    """典型案例（模板）: the activity's facts filled in, the story left for the lead."""
    document = _new()
    document.add_heading(f"典型案例：{activity.name}", level=1)
    zone = campaign.zone
    facts = (
        ("报送单位", org.name),
        ("活动名称", activity.name),
        ("活动主题", THEME_LABELS.get(activity.theme, activity.theme)),
        ("活动形式", f"{FORM_LABELS.get(activity.form, activity.form)}（{MODE_LABELS.get(activity.mode, activity.mode)}）"),
        ("活动时间", f"{activity.starts_at.astimezone(zone):%Y年%m月%d日 %H:%M} 至 {activity.ends_at.astimezone(zone):%Y年%m月%d日 %H:%M}"),
        ("活动地点", activity.venue or ""),
        ("参与（或受益）人数（人次）", f"{counts['attendance']}（扫码签到{counts['attendance_scanned']}，现场计数{counts['attendance_tallied']}）"),
        ("志愿者人数（人次）", counts["volunteers"]),
        ("推荐课程", "、".join(activity.courses or [])),
        ("新闻链接", "\n".join(activity.news_links or [])),
        ("活动照片", "、".join(photo_names) or "（见佐证材料）"),
    )
    _table(document, ("项目", "内容"), facts)
    for heading, hint in (("一、案例背景", "（为什么开展这项活动，面向哪些群体）"),
                          ("二、主要做法", "（活动内容、组织方式、志愿者服务）"),
                          ("三、成效与反响", "（参与情况、居民反馈、媒体报道）"),
                          ("四、经验与启示", "（可复制、可推广的做法）")):
        document.add_heading(heading, level=2)
        document.add_paragraph(activity.content if heading.startswith("二") and activity.content else hint)
    document.add_paragraph(f"联系人：{org.lead_name or ''}    联系电话：{org.phone or ''}")
    return _bytes(document)

