"""The national dashboard (/region/000000/): what every region's dashboard shows
(bureau.dashboard.figures: the basis, totals with the scanned and tallied split and the
verified share, the difference of the live counts, the units' statuses, charts), its table by
province (each with its units' submission counts; rows are the counts API's
`group_by=province`), and the map of provinces."""
from flask import render_template

from ..maps import views as maps

TEMPLATE = "national/dashboard.html"


def render(page, shown):
    return render_template(TEMPLATE, **page, **shown, map_figures=maps.map_figures(page["campaign"], page["region"]))
