#!/usr/bin/env python3
"""Turns Natural Earth's 1:110m countries (npm package world-atlas 2.0.2,
countries-110m.json, TopoJSON) into the SVG paths of the dashboard's world
map: crates/web/assets/world-110m.tsv, one line per country,
`numeric ISO 3166-1 code <TAB> English name <TAB> SVG path`.

Equirectangular projection, 1000 units for 360 degrees of longitude,
latitudes 84 N to 58 S (Antarctica left out), coordinates rounded to 0.1.

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python3 scripts/vendor/world_map.py package/countries-110m.json > crates/web/assets/world-110m.tsv
"""
import json
import sys

K = 1000 / 360
TOP = 84.0


def main(path):
    topo = json.load(open(path))
    sx, sy = topo["transform"]["scale"]
    tx, ty = topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        pts = []
        for dx, dy in arc:
            x += dx
            y += dy
            pts.append((x * sx + tx, y * sy + ty))
        arcs.append(pts)

    def ring(indices):
        pts = []
        for i in indices:
            a = arcs[i] if i >= 0 else list(reversed(arcs[~i]))
            pts.extend(a if not pts else a[1:])
        return pts

    def project(lon, lat):
        return (round((lon + 180) * K * 10), round((TOP - lat) * K * 10))

    def unwrapped(r):
        # Longitudes made continuous across the antimeridian (Russia, Fiji);
        # a ring that then leaves [-180, 180] is drawn a second time shifted
        # by 360 degrees, and the SVG's view box clips both copies.
        pts = ring(r)
        out = [pts[0]]
        for lon, lat in pts[1:]:
            prev = out[-1][0]
            while lon - prev > 180:
                lon -= 360
            while prev - lon > 180:
                lon += 360
            out.append((lon, lat))
        copies = [out]
        lo = min(p[0] for p in out)
        hi = max(p[0] for p in out)
        if lo < -180:
            copies.append([(x + 360, y) for x, y in out])
        if hi > 180:
            copies.append([(x - 360, y) for x, y in out])
        return copies

    def path_of(rings):
        out = []
        for copy in (c for r in rings for c in unwrapped(r)):
            pts = [project(*p) for p in copy]
            # Drop repeated points after rounding.
            dedup = [pts[0]]
            for p in pts[1:]:
                if p != dedup[-1]:
                    dedup.append(p)
            if len(dedup) < 3:
                continue
            x0, y0 = dedup[0]
            s = ["M%s %s" % (fmt(x0), fmt(y0)), "l"]
            px, py = x0, y0
            steps = []
            for x, y in dedup[1:]:
                steps.append("%s %s" % (fmt(x - px), fmt(y - py)))
                px, py = x, y
            s.append(" ".join(steps))
            s.append("z")
            out.append("".join(s))
        return "".join(out)

    def fmt(v):
        # v is in tenths of a unit.
        sign = "-" if v < 0 else ""
        v = abs(v)
        return "%s%d.%d" % (sign, v // 10, v % 10) if v % 10 else "%s%d" % (sign, v // 10)

    for g in topo["objects"]["countries"]["geometries"]:
        cid = g.get("id", "")
        if cid == "010":  # Antarctica
            continue
        name = g.get("properties", {}).get("name", "")
        if g["type"] == "Polygon":
            polys = [g["arcs"]]
        elif g["type"] == "MultiPolygon":
            polys = g["arcs"]
        else:
            continue
        d = "".join(path_of(p) for p in polys)
        if d:
            print("%s\t%s\t%s" % (cid or "-", name, d))


if __name__ == "__main__":
    main(sys.argv[1])
