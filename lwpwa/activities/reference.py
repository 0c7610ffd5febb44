"""The nine themes and the activity forms, labelled exactly as the Shanxi notice's table."""
from flask_babel import lazy_gettext as _l

# (key, official Chinese label used in the table, English label for pages in English)
THEMES = (
    ("lifelong_learning", "终身学习", _l("Lifelong learning")),
    ("open_resources", "开放学习资源", _l("Open learning resources")),
    ("resource_sharing", "强化社区教育和老年教育资源共享", _l("Sharing community and senior education resources")),
    ("reading", "全民阅读", _l("Reading for all")),
    ("stars_and_brands", "“百姓学习之星”“终身学习品牌项目”推荐宣传展示", _l("Learning stars and lifelong learning brands")),
    ("smart_seniors", "“智慧助老”", _l("Smart help for seniors")),
    ("rural_revitalization", "乡村振兴", _l("Rural revitalization")),
    ("learning_city", "学习型城市（乡村、社区）建设", _l("Learning cities, villages and communities")),
    ("other", "其他", _l("Other")),
)
THEME_KEYS = tuple(key for key, _label, _en in THEMES)
THEME_LABELS = {key: label for key, label, _en in THEMES}

FORMS = (
    ("lecture", "讲座", _l("Lecture")),
    ("training", "培训", _l("Training")),
    ("visit", "观摩", _l("Visit")),
    ("seminar", "座谈", _l("Seminar")),
    ("experience", "体验", _l("Hands-on experience")),
    ("reading_salon", "读书沙龙", _l("Reading salon")),
    ("exhibition", "展示", _l("Exhibition")),
    ("other", "其他", _l("Other")),
)
FORM_KEYS = tuple(key for key, _label, _en in FORMS)
FORM_LABELS = {key: label for key, label, _en in FORMS}

MODE_LABELS = {"offline": "线下", "online": "线上", "hybrid": "线上线下结合"}
