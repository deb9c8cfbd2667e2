#!/usr/bin/env python3
"""Builds the reference data embedded in `crates/domain` (module `domain::geo`).

Inputs (pinned, fetched with the ordinary registry clients into a cache folder):

* PyPI `vietnamadminunits` 1.0.4 (MIT): legacy (63 provinces) and new (34 provinces)
  administrative units, and the 2025 succession (converter) tables.
* PyPI `vietnam-provinces` 2025.10.1 (MIT): cross-check of the new commune list only.
* npm `i18n-iso-countries` 7.14.0 (MIT): ISO 3166-1 codes with Vietnamese and English names.

Outputs (UTF-8, LF, tab-separated, one header line, rows sorted by code):

    crates/domain/data/legacy_provinces.tsv
    crates/domain/data/legacy_districts.tsv
    crates/domain/data/legacy_communes.tsv
    crates/domain/data/new_provinces.tsv
    crates/domain/data/new_communes.tsv
    crates/domain/data/succession.tsv
    crates/domain/data/countries.tsv
    crates/domain/tests/fixtures/hometown_forms_generated.tsv

Usage:  python3 scripts/refdata/build_refdata.py [--cache DIR]

The run is deterministic: the same inputs give byte-identical outputs.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import re
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import unicodedata
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = ROOT / "crates" / "domain" / "data"
FIXTURE = ROOT / "crates" / "domain" / "tests" / "fixtures" / "hometown_forms_generated.tsv"

PYPI_INPUTS = {
    "vietnamadminunits": (
        "1.0.4",
        "vietnamadminunits-1.0.4-py3-none-any.whl",
    ),
    "vietnam-provinces": (
        "2025.10.1",
        "vietnam_provinces-2025.10.1-py3-none-any.whl",
    ),
}
NPM_INPUT = ("i18n-iso-countries", "7.14.0", "i18n-iso-countries-7.14.0.tgz")

# SHA-256 of the pinned archives, checked after download so that a changed upload
# cannot silently change the data.
SHA256_FILE = Path(__file__).with_name("inputs.sha256")


# --------------------------------------------------------------------------- helpers


def fold(text: str) -> str:
    """Same folding as `domain::text::fold`: no marks, đ→d, lowercase, single spaces."""
    out = []
    pending = False
    for ch in unicodedata.normalize("NFD", text):
        if unicodedata.combining(ch):
            continue
        if ch in "đĐðÐ":
            ch = "d"
        if ch.isalnum():
            if pending and out:
                out.append(" ")
            pending = False
            out.append(ch.lower())
        else:
            pending = True
    return "".join(out)


def key(text: str) -> str:
    return fold(text).replace(" ", "")


def clean_name(name: str) -> str:
    name = unicodedata.normalize("NFC", name)
    name = name.replace("\u2013", "-").replace("\u2019", "'")
    name = " ".join(name.split())
    for wrong, right in (
        ("Thị Trấn ", "Thị trấn "),
        ("Thị Xã ", "Thị xã "),
        ("Thành Phố ", "Thành phố "),
        ("Đặc Khu ", "Đặc khu "),
    ):
        if name.startswith(wrong):
            name = right + name[len(wrong):]
    return name


# Unit kinds: code used in the data files → Vietnamese prefix of the full name.
PROVINCE_KINDS = {"Tỉnh": "province", "Thành phố": "municipality"}
DISTRICT_KINDS = {
    "Huyện": "rural_district",
    "Quận": "urban_district",
    "Thị xã": "district_town",
    "Thành phố": "provincial_city",
}
COMMUNE_KINDS = {
    "Xã": "commune",
    "Phường": "ward",
    "Thị trấn": "township",
    "Đặc khu": "special_zone",
}


def split_kind(name: str, kinds: dict[str, str]) -> tuple[str, str]:
    """Returns (kind code, short name) from a full name such as "Thị trấn Yên Viên"."""
    for prefix in sorted(kinds, key=len, reverse=True):
        if name.startswith(prefix + " "):
            return kinds[prefix], name[len(prefix) + 1:]
    raise ValueError(f"no kind prefix in {name!r}")


TYPE_KEY_PREFIXES = (
    "thanhpho", "thixa", "thitran", "dackhu", "phuong", "huyen", "quan", "tinh", "xa",
    "tp", "tx", "tt",
)
NUMBERED = re.compile(r"^(p|f|phuong|q|quan|district)(\d+)$")


def alias_keys(raw: str | None, own: set[str]) -> list[str]:
    """Alias keys from the source (JSON list of space-less keys) minus the unit's own
    keys. A typed form ("huyenkyson") is dropped when its untyped form ("kyson") is
    listed too or is the unit's own key; other keys stay as they are ("tinhgia")."""
    if not raw:
        return []
    keys = []
    for k in json.loads(raw):
        k = key(k)
        # numbered wards and districts ("p03", "f3", "quan9", "district2") → "3", "9", "2"
        m = NUMBERED.match(k)
        keys.append(str(int(m.group(2))) if m else k)
    listed = set(keys) | own
    out: list[str] = []
    for k in keys:
        typed = any(k.startswith(p) and k[len(p):] in listed for p in TYPE_KEY_PREFIXES)
        if k and not typed and k not in own and k not in out:
            out.append(k)
    return sorted(out)


def coord(x: float | None) -> str:
    return "" if x is None else f"{x:.5f}"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fetch_inputs(cache: Path) -> dict[str, Path]:
    cache.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    for name, (version, filename) in PYPI_INPUTS.items():
        target = cache / filename
        if not target.exists():
            subprocess.run(
                [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
                 f"{name}=={version}", "-d", str(cache)],
                check=True,
            )
        paths[name] = target
    name, version, filename = NPM_INPUT
    target = cache / filename
    if not target.exists():
        subprocess.run(["npm", "pack", "--silent", f"{name}@{version}"], cwd=cache, check=True,
                       stdout=subprocess.DEVNULL)
    paths[name] = target
    expected = {}
    if SHA256_FILE.exists():
        for line in SHA256_FILE.read_text().splitlines():
            if line.strip():
                digest, fname = line.split()
                expected[fname] = digest
    for p in paths.values():
        want = expected.get(p.name)
        got = sha256(p)
        if want is not None and want != got:
            raise SystemExit(f"checksum mismatch for {p.name}: {got} != {want}")
    return paths


# --------------------------------------------------------------------------- sources


def load_vau(wheel: Path):
    with zipfile.ZipFile(wheel) as z:
        db_bytes = z.read("vietnamadminunits/data/dataset.db")
        converter = json.loads(z.read("vietnamadminunits/data/converter_2025.json"))
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "dataset.db"
        db_path.write_bytes(db_bytes)
        con = sqlite3.connect(db_path)
        con.row_factory = sqlite3.Row
        legacy = [dict(r) for r in con.execute("SELECT * FROM admin_units_legacy")]
        new = [dict(r) for r in con.execute("SELECT * FROM admin_units")]
        con.close()
    return legacy, new, converter


def licence_text(archive: Path, member_suffix: str) -> str:
    """Text of the licence file shipped in a wheel or npm tarball."""
    if archive.suffix == ".whl":
        with zipfile.ZipFile(archive) as z:
            name = next(n for n in z.namelist() if n.endswith(member_suffix))
            return z.read(name).decode("utf-8")
    with tarfile.open(archive) as t:
        f = t.extractfile(f"package/{member_suffix}")
        assert f is not None
        return f.read().decode("utf-8")


def write_notice(inputs: dict[str, Path]) -> None:
    parts = [
        "# Licences of the reference data in this folder",
        "",
        "Generated by `scripts/refdata/build_refdata.py`; see `docs/DATA_SOURCES.md`.",
        "",
        "## Administrative units and succession: PyPI `vietnamadminunits` 1.0.4",
        "",
        "```text",
        licence_text(inputs["vietnamadminunits"], "licenses/LICENSE").strip(),
        "```",
        "",
        "## Countries: npm `i18n-iso-countries` 7.14.0",
        "",
        "```text",
        licence_text(inputs["i18n-iso-countries"], "LICENSE").strip(),
        "```",
        "",
    ]
    (DATA_DIR / "NOTICE.md").write_text("\n".join(parts), encoding="utf-8")


def load_vp(wheel: Path) -> dict[str, str]:
    with zipfile.ZipFile(wheel) as z:
        nested = json.loads(z.read("vietnam_provinces/data/nested-divisions.json"))
    out = {}
    for p in nested:
        for w in p["wards"]:
            out[f"{w['code']:05d}"] = w["name"]
    return out


def load_countries(tgz: Path):
    with tarfile.open(tgz) as t:
        def read(name):
            f = t.extractfile(f"package/{name}")
            assert f is not None
            return json.load(io.TextIOWrapper(f, encoding="utf-8"))
        return read("codes.json"), read("langs/vi.json")["countries"], read("langs/en.json")["countries"]


# --------------------------------------------------------------------------- countries

# Vietnamese names as used in Vietnamese official texts where the npm locale differs
# (the package's own names stay as aliases).
COUNTRY_VI_OVERRIDES = {
    "US": "Hoa Kỳ",
    "LA": "Lào",
    "MY": "Malaysia",
    "PS": "Palestine",
    "CI": "Côte d'Ivoire",
    "KW": "Kuwait",
    "RO": "Romania",
    "SY": "Syria",
    "SA": "Ả Rập Xê Út",
    "CY": "Síp",
    "AT": "Áo",
    "IR": "Iran",
    "TZ": "Tanzania",
    "BN": "Brunei",
    "MD": "Moldova",
    "VA": "Tòa Thánh Vatican",
    "TW": "Đài Loan (Trung Quốc)",
    "HK": "Hồng Kông (Trung Quốc)",
    "MO": "Ma Cao (Trung Quốc)",
    "CV": "Cabo Verde",
    "BO": "Bolivia",
    "AE": "Các Tiểu vương quốc Ả Rập Thống nhất",
}
COUNTRY_VI_ALIASES = {
    "US": ["Mỹ"],
    "GB": ["Anh"],
    "RU": ["Nga"],
    "MY": ["Mã Lai", "Ma-lai-xi-a"],
    "CI": ["Bờ Biển Ngà"],
    "CZ": ["Séc"],
    "TL": ["Đông Timor"],
    "AU": ["Ô-xtrây-li-a"],
    "KR": ["Nam Hàn", "Đại Hàn"],
    "KP": ["Bắc Triều Tiên", "Bắc Hàn"],
    "TW": ["Đài Loan"],
    "HK": ["Hồng Kông", "Hương Cảng"],
    "MO": ["Ma Cao"],
    "DE": ["Tây Đức"],
    "KH": ["Cam-pu-chia", "Cao Miên"],
    "TH": ["Thái"],
    "JP": ["Nhật"],
    "AE": ["UAE", "Dubai"],
    "NL": ["Hòa Lan"],
    "PH": ["Phi-líp-pin", "Phi"],
    "SG": ["Xin-ga-po", "Tân Gia Ba"],
    "ID": ["In-đô-nê-xi-a"],
    "FR": ["Pháp quốc"],
    "CA": ["Ca-na-đa"],
}
COUNTRY_EN_PRIMARY = {
    "AE": "United Arab Emirates",
    "CD": "Democratic Republic of the Congo",
    "CG": "Republic of the Congo",
    "CI": "Côte d'Ivoire",
    "CN": "China",
    "CZ": "Czechia",
    "GB": "United Kingdom",
    "GM": "Gambia",
    "IR": "Iran",
    "KR": "South Korea",
    "MK": "North Macedonia",
    "NL": "Netherlands",
    "PN": "Pitcairn Islands",
    "PS": "Palestine",
    "RU": "Russia",
    "TR": "Türkiye",
    "TW": "Taiwan",
    "TZ": "Tanzania",
    "US": "United States",
    "AX": "Åland Islands",
}
# Entries of ISO 3166-1 that are not sovereign states (dependent or special territories);
# XK (Kosovo) is a user-assigned code kept for convenience.
TERRITORIES = set(
    "AI AQ AS AW AX BL BM BQ BV CC CK CW CX EH FK FO GF GG GI GL GP GS GU HK HM IM IO JE "
    "KY MF MO MP MQ MS NC NF NU PF PM PN PR RE SH SJ SX TC TF TK TW UM VG VI WF YT XK".split()
)


def build_countries(codes, vi, en):
    rows = []
    for alpha2, alpha3, numeric, _ in codes:
        vi_names = vi[alpha2] if isinstance(vi[alpha2], list) else [vi[alpha2]]
        en_names = en[alpha2] if isinstance(en[alpha2], list) else [en[alpha2]]
        name_vi = COUNTRY_VI_OVERRIDES.get(alpha2, vi_names[0])
        name_en = COUNTRY_EN_PRIMARY.get(alpha2, en_names[0])
        aliases: list[str] = []
        for a in vi_names + COUNTRY_VI_ALIASES.get(alpha2, []) + en_names:
            if a not in (name_vi, name_en) and a not in aliases:
                aliases.append(a)
        rows.append((alpha2, alpha3, numeric, name_vi, name_en,
                     "1" if alpha2 in TERRITORIES else "0", "|".join(aliases)))
    rows.sort()
    return rows


# --------------------------------------------------------------------------- admin units

# Extra province alias keys (folded, no spaces), beyond those in the source.
PROVINCE_EXTRA_ALIASES = {
    "79": ["tphcm", "hcmc", "saigon", "sg", "tpsaigon"],
    "01": ["hanoi", "tphn", "thudohanoi"],
    "46": ["thuathienhue", "tth", "hue"],
    "77": ["brvt"],
    "66": ["daklac", "daclac", "daclak"],
    "67": ["dacnong"],
    "48": ["tpdanang"],
    "92": ["tpcantho"],
    "31": ["tphaiphong"],
}
# Source aliases dropped: halves of "Bà Rịa - Vũng Tàu" that, written alone, name the
# cities of Bà Rịa and Vũng Tàu rather than the province.
PROVINCE_DROPPED_ALIASES = {"baria", "vungtau"}
PROVINCE_LEGACY_ONLY_ALIASES = {"46": ["thuathienhue", "tth"], "77": ["brvt"], "67": ["dacnong"]}


# Codes of units whose kind, read from the full name, differs from the source's type
# column (the name is kept as the truth).
TYPE_DISAGREEMENTS: list[str] = []


def build_admin(legacy_rows, new_rows, converter):
    # ---- legacy provinces / districts / communes
    lprov: dict[str, dict] = {}
    ldist: dict[str, dict] = {}
    lcomm: dict[str, dict] = {}
    legacy_by_key: dict[str, dict] = {}
    for r in legacy_rows:
        pcode = r["provinceCode"]
        if pcode not in lprov:
            name = clean_name(r["province"])
            kind, short = split_kind(name, PROVINCE_KINDS)
            own = {key(name), key(short)}
            aliases = [a for a in alias_keys(r["provinceAlias"], own)
                       if a not in PROVINCE_DROPPED_ALIASES]
            for a in PROVINCE_EXTRA_ALIASES.get(pcode, []):
                if a not in own and a not in aliases:
                    aliases.append(a)
            lprov[pcode] = dict(code=pcode, name=name, short=short, kind=kind,
                                lat=r["provinceLat"], lon=r["provinceLon"],
                                aliases=sorted(aliases), key=r["provinceKey"])
        dcode = r["districtCode"]
        if dcode not in ldist:
            name = clean_name(r["district"])
            kind, short = split_kind(name, DISTRICT_KINDS)
            own = {key(name), key(short)}
            ldist[dcode] = dict(code=dcode, province=pcode, name=name, short=short, kind=kind,
                                lat=r["districtLat"], lon=r["districtLon"],
                                aliases=alias_keys(r["districtAlias"], own),
                                key=r["districtKey"], has_communes=False)
        legacy_key = f"{r['provinceKey']}_{r['districtKey']}_{r['wardKey'] or ''}"
        if r["wardCode"]:
            ccode = r["wardCode"]
            name = clean_name(r["ward"])
            kind, short = split_kind(name, COMMUNE_KINDS)
            own = {key(name), key(short)}
            if r["wardType"] and COMMUNE_KINDS.get(r["wardType"]) != kind:
                TYPE_DISAGREEMENTS.append(ccode)
            lcomm[ccode] = dict(code=ccode, district=dcode, province=pcode, name=name,
                                short=short, kind=kind, lat=r["wardLat"], lon=r["wardLon"],
                                aliases=alias_keys(r["wardAlias"], own))
            ldist[dcode]["has_communes"] = True
            legacy_by_key[legacy_key] = ("c", ccode)
        else:
            legacy_by_key[legacy_key] = ("d", dcode)

    # ---- new provinces / communes
    nprov: dict[str, dict] = {}
    ncomm: dict[str, dict] = {}
    new_by_key: dict[tuple[str, str], str] = {}
    nprov_by_key: dict[str, str] = {}
    for r in new_rows:
        pcode = r["provinceCode"]
        if pcode not in nprov:
            name = clean_name(r["province"])
            kind, short = split_kind(name, PROVINCE_KINDS)
            own = {key(name), key(short)}
            aliases = alias_keys(r["provinceAlias"], own)
            legacy_only = set(PROVINCE_LEGACY_ONLY_ALIASES.get(pcode, []))
            for a in PROVINCE_EXTRA_ALIASES.get(pcode, []):
                if a not in own and a not in aliases and a not in legacy_only:
                    aliases.append(a)
            nprov[pcode] = dict(code=pcode, name=name, short=short, kind=kind,
                                lat=r["provinceLat"], lon=r["provinceLon"], aliases=sorted(aliases))
            nprov_by_key[r["provinceKey"]] = pcode
        ccode = r["wardCode"]
        name = clean_name(r["ward"])
        kind, short = split_kind(name, COMMUNE_KINDS)
        own = {key(name), key(short)}
        if COMMUNE_KINDS.get(r["wardType"]) != kind:
            TYPE_DISAGREEMENTS.append(ccode)
        ncomm[ccode] = dict(code=ccode, province=pcode, name=name, short=short, kind=kind,
                            lat=r["wardLat"], lon=r["wardLon"], area=r["wardAreaKm2"],
                            aliases=alias_keys(r["wardAlias"], own))
        new_by_key[(r["provinceKey"], r["wardKey"])] = ccode

    # ---- province succession
    lprov_by_key = {p["key"]: code for code, p in lprov.items()}
    for new_key, old_keys in converter["DICT_PROVINCE"].items():
        for ok in old_keys:
            lprov[lprov_by_key[ok]]["new"] = nprov_by_key[new_key]
    assert all("new" in p for p in lprov.values())

    # ---- commune succession: (level, legacy code) -> [(new code, default)]
    succ: dict[tuple[str, str], list[tuple[str, bool]]] = {}
    for new_pkey, wards in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for new_wkey, olds in wards.items():
            ncode = new_by_key[(new_pkey, new_wkey)]
            for o in olds:
                succ.setdefault(legacy_by_key[o], []).append((ncode, True))
    for new_pkey, olds in converter["DICT_PROVINCE_WARD_DIVIDED"].items():
        for o, wards in olds.items():
            lk = legacy_by_key[o]
            assert lk not in succ, o
            succ[lk] = [(new_by_key[(new_pkey, w["newWardKey"])], bool(w["isDefaultNewWard"]))
                        for w in wards]
    assert set(succ) == set(legacy_by_key.values())
    for lk, targets in succ.items():
        assert sum(d for _, d in targets) == 1, lk
        # a successor always lies in the new province of the legacy province
        lp = lcomm[lk[1]]["province"] if lk[0] == "c" else ldist[lk[1]]["province"]
        for ncode, _ in targets:
            assert ncomm[ncode]["province"] == lprov[lp]["new"], (lk, ncode)
    with_pred = {n for t in succ.values() for n, _ in t}
    assert with_pred == set(ncomm), set(ncomm) - with_pred
    return lprov, ldist, lcomm, nprov, ncomm, succ


# --------------------------------------------------------------------------- writing


def write_tsv(path: Path, header: list[str], rows: list[tuple]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as f:
        f.write("\t".join(header) + "\n")
        for row in rows:
            cells = [str(c) for c in row]
            for c in cells:
                assert "\t" not in c and "\n" not in c, c
            f.write("\t".join(cells) + "\n")


# --------------------------------------------------------------------------- fixture

ABBR = {
    "commune": "X.", "ward": "P.", "township": "TT.", "special_zone": "Đặc khu",
    "rural_district": "H.", "urban_district": "Q.", "district_town": "TX.",
    "provincial_city": "TP.", "province": "T.", "municipality": "TP.",
}
LEVEL_OF_KIND = {
    "commune": "c", "ward": "c", "township": "c", "special_zone": "c",
    "rural_district": "d", "urban_district": "d", "district_town": "d", "provincial_city": "d",
    "province": "p", "municipality": "p",
}
HAMLETS = ["Thôn 3", "Xóm 5", "Ấp Bình An", "Số 12 đường Lê Lợi", "Tổ 7", "thon Dong"]


def ikey(text: str) -> str:
    """Resolver key: folded, no spaces, y → i (matches `geo` index keys)."""
    return key(text).replace("y", "i")


def within_one(a: str, b: str) -> bool:
    """Optimal string alignment distance at most one."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        return (len(diffs) == 2 and diffs[1] == diffs[0] + 1
                and a[diffs[0]] == b[diffs[1]] and a[diffs[1]] == b[diffs[0]])
    short, long = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long[i]:
        i += 1
    return short[i:] == long[i + 1:]


def typo(short: str, salt: int) -> str | None:
    """One-letter substitution in a letter of the folded short name (deterministic)."""
    f = fold(short)
    letters = [i for i, ch in enumerate(f) if ch.isalpha() and ch not in "yi"]
    if len(f.replace(" ", "")) < 7 or len(letters) < 4:
        return None
    pos = letters[(salt * 7 + 3) % len(letters)]
    repl = "a" if f[pos] != "a" else "o"
    return f[:pos] + repl + f[pos + 1:]


def build_fixture(lprov, ldist, lcomm, nprov, ncomm, succ):  # noqa: C901 (one list of cases)
    # Index of every short/alias key → units, to know which written forms are ambiguous.
    units_by_key: dict[str, set[tuple[str, str]]] = {}

    def add(k: str, unit: tuple[str, str]):
        units_by_key.setdefault(ikey(k), set()).add(unit)

    for c in lcomm.values():
        add(c["short"], ("lc", c["code"]))
        for a in c["aliases"]:
            add(a, ("lc", c["code"]))
    for d in ldist.values():
        add(d["short"], ("ld", d["code"]))
        for a in d["aliases"]:
            add(a, ("ld", d["code"]))
    for p in lprov.values():
        add(p["short"], ("lp", p["code"]))
        for a in p["aliases"]:
            add(a, ("lp", p["code"]))
    for n in ncomm.values():
        add(n["short"], ("nc", n["code"]))
    for p in nprov.values():
        add(p["short"], ("np", p["code"]))

    def new_prov_of(unit):
        kind, code = unit
        if kind == "lc":
            return lprov[lcomm[code]["province"]]["new"]
        if kind == "ld":
            return lprov[ldist[code]["province"]]["new"]
        if kind == "lp":
            return lprov[code]["new"]
        if kind == "nc":
            return ncomm[code]["province"]
        return code

    def competitors(short: str, me: tuple[str, str], new_province: str, consistent: set):
        """Other units with the same key in the same new-province region."""
        return {u for u in units_by_key.get(ikey(short), set())
                if u != me and u not in consistent and new_prov_of(u) == new_province}

    def commune_successors(code):
        return {("nc", n) for n, _ in succ[("c", code)]}

    def commune_predecessors(ncode):
        return {("lc", lk[1]) for lk, t in succ.items() if lk[0] == "c" and any(n == ncode for n, _ in t)}

    region_keys: dict[str, set[str]] = {}
    for k, units in units_by_key.items():
        for u in units:
            region_keys.setdefault(new_prov_of(u), set()).add(k)

    def one_edit_units(written: str, new_province: str) -> set:
        """Units of the region whose key is within one edit of the written name."""
        w = ikey(written)
        out = set()
        for k in region_keys.get(new_province, ()):
            if within_one(w, k):
                out |= {u for u in units_by_key[k] if new_prov_of(u) == new_province}
        return out

    rows: list[tuple[str, str, str]] = []
    seen: set[str] = set()

    def emit(form: str, expect: str, note: str):
        if form in seen:
            return
        seen.add(form)
        rows.append((form, expect, note))

    # ---- legacy communes: every 53rd, by code
    for i, code in enumerate(sorted(lcomm)):
        if i % 53 != 7:
            continue
        c = lcomm[code]
        d = ldist[c["district"]]
        p = lprov[c["province"]]
        np_ = p["new"]
        me = ("lc", code)
        cons = commune_successors(code) | {("ld", d["code"]), ("lp", p["code"]), ("np", np_)}
        full = f"{c['name']}, {d['name']}, {p['name']}"
        # same short name for another commune of the same district: the district does not help
        same_district_twin = any(
            o["district"] == d["code"] and o["code"] != code and ikey(o["short"]) == ikey(c["short"])
            for o in lcomm.values()
        )
        if same_district_twin:
            continue
        # the district name must point at this district only (within the province)
        d_comp = competitors(d["short"], ("ld", d["code"]), np_, {me, ("lp", p["code"]), ("np", np_)} | commune_successors(code))
        if any(u[0] == "ld" for u in d_comp):
            continue
        expect = f"lc:{code}"
        emit(full, expect, "full")
        emit(fold(full), expect, "folded")
        emit(full.upper(), expect, "upper")
        emit(f"{ABBR[c['kind']]} {c['short']}, {ABBR[d['kind']]} {d['short']}, {ABBR[p['kind']]} {p['short']}",
             expect, "abbreviated")
        d_written = d["name"] if d["short"].isdigit() else d["short"]
        emit(f"{p['short']} - {d_written} - {c['name']}", expect, "reordered")
        emit(fold(f"{c['name']} {d['name']} {p['name']}"), expect, "no separators")
        emit(f"{HAMLETS[i % len(HAMLETS)]}, {c['name']}, {d['name']}, {p['short']}", expect, "hamlet prefix")
        emit(f"{c['name']}, {d['name']}, {nprov[np_]['name']}", expect, "new province")
        emit(f"{ABBR[c['kind']]}{c['short']} {ABBR[d['kind']]}{d['short']} {ABBR[p['kind']]}{p['short']}",
             expect, "abbreviated, no spaces or commas")
        emit(fold(f"{c['short'] if not c['short'].isdigit() else c['name']} - {d_written} - {p['short']}"),
             expect, "dashes, untyped, folded")
        # without district: only when the commune name is unique in the new province region
        comp = competitors(c["short"], me, np_, cons)
        if not comp:
            emit(f"{c['name']}, {p['name']}", expect, "no district")
        # untyped, the name must not also be that of its own district or province
        comp = competitors(c["short"], me, np_, commune_successors(code))
        if not comp and not c["short"].isdigit():
            emit(fold(f"{c['short']} {p['short']}"), expect, "no district, untyped, folded")
        t = typo(c["short"], i)
        if t is not None and one_edit_units(t, np_) <= {me} | commune_successors(code):
            emit(f"{c['name'].split(' ')[0]} {t}, {d['name']}, {p['name']}", expect, "one-letter typo")

    # ---- new communes: every 29th, by code
    for i, code in enumerate(sorted(ncomm)):
        if i % 29 != 5:
            continue
        n = ncomm[code]
        p = nprov[n["province"]]
        me = ("nc", code)
        cons = commune_predecessors(code) | {("np", p["code"])}
        cons |= {("lp", lp) for lp, v in lprov.items() if v["new"] == p["code"]}
        comp = competitors(n["short"], me, p["code"], cons)
        typed_comp = {u for u in comp if u[0] in ("lc", "nc")}
        expect = f"nc:{code}"
        if not typed_comp:
            emit(f"{n['name']}, {p['name']}", expect, "new, full")
            emit(fold(f"{n['name']}, {p['name']}"), expect, "new, folded")
            emit(f"{ABBR[n['kind']]} {n['short']} - {p['short']}", expect, "new, abbreviated")
            emit(f"{p['name']} {n['name']}", expect, "new, reordered")
        if not comp:
            emit(f"{n['short']}, {p['short']}", expect, "new, untyped")

    # ---- legacy districts: every 9th
    for i, code in enumerate(sorted(ldist)):
        if i % 9 != 4:
            continue
        d = ldist[code]
        p = lprov[d["province"]]
        me = ("ld", code)
        comp = competitors(d["short"], me, p["new"], set())
        if any(u[0] in ("ld", "lp", "np") for u in comp):
            continue
        emit(f"{d['name']}, {p['name']}", f"ld:{code}", "district")
        emit(fold(f"{ABBR[d['kind']]} {d['short']} {p['short']}"), f"ld:{code}", "district, abbreviated")

    # ---- provinces
    for code, p in sorted(lprov.items()):
        emit(p["name"], f"lp:{code}", "legacy province")
        emit(fold(p["short"]), f"lp:{code}", "legacy province, folded")
    rows.sort(key=lambda r: (r[1], r[0]))
    return rows


# --------------------------------------------------------------------------- main


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", type=Path, default=None,
                    help="folder for the downloaded inputs (default: a temporary folder)")
    args = ap.parse_args()
    if args.cache is None:
        with tempfile.TemporaryDirectory() as tmp:
            run(Path(tmp))
    else:
        run(args.cache)


def run(cache: Path) -> None:
    inputs = fetch_inputs(cache)
    legacy_rows, new_rows, converter = load_vau(inputs["vietnamadminunits"])
    lprov, ldist, lcomm, nprov, ncomm, succ = build_admin(legacy_rows, new_rows, converter)

    write_tsv(DATA_DIR / "legacy_provinces.tsv",
              ["code", "name", "short", "kind", "lat", "lon", "new_province", "aliases"],
              [(p["code"], p["name"], p["short"], p["kind"], coord(p["lat"]), coord(p["lon"]),
                p["new"], "|".join(p["aliases"])) for _, p in sorted(lprov.items())])
    write_tsv(DATA_DIR / "legacy_districts.tsv",
              ["code", "province", "name", "short", "kind", "lat", "lon", "aliases"],
              [(d["code"], d["province"], d["name"], d["short"], d["kind"], coord(d["lat"]),
                coord(d["lon"]), "|".join(d["aliases"])) for _, d in sorted(ldist.items())])
    write_tsv(DATA_DIR / "legacy_communes.tsv",
              ["code", "district", "name", "short", "kind", "lat", "lon", "aliases"],
              [(c["code"], c["district"], c["name"], c["short"], c["kind"], coord(c["lat"]),
                coord(c["lon"]), "|".join(c["aliases"])) for _, c in sorted(lcomm.items())])
    write_tsv(DATA_DIR / "new_provinces.tsv",
              ["code", "name", "short", "kind", "lat", "lon", "aliases"],
              [(p["code"], p["name"], p["short"], p["kind"], coord(p["lat"]), coord(p["lon"]),
                "|".join(p["aliases"])) for _, p in sorted(nprov.items())])
    write_tsv(DATA_DIR / "new_communes.tsv",
              ["code", "province", "name", "short", "kind", "lat", "lon", "area_km2", "aliases"],
              [(c["code"], c["province"], c["name"], c["short"], c["kind"], coord(c["lat"]),
                coord(c["lon"]), "" if c["area"] is None else f"{c['area']:.2f}",
                "|".join(c["aliases"])) for _, c in sorted(ncomm.items())])
    succ_rows = []
    for (level, lcode), targets in sorted(succ.items()):
        divided = "1" if len(targets) > 1 else "0"
        for ncode, default in sorted(targets):
            succ_rows.append((level, lcode, ncode, "1" if default else "0", divided))
    write_tsv(DATA_DIR / "succession.tsv",
              ["legacy_level", "legacy_code", "new_code", "is_default", "divided"], succ_rows)

    codes, vi, en = load_countries(inputs["i18n-iso-countries"])
    countries = build_countries(codes, vi, en)
    write_tsv(DATA_DIR / "countries.tsv",
              ["code", "code3", "numeric", "name_vi", "name_en", "territory", "aliases"], countries)

    write_notice(inputs)
    fixture = build_fixture(lprov, ldist, lcomm, nprov, ncomm, succ)
    write_tsv(FIXTURE, ["form", "expect", "note"], fixture)

    # ---- cross-check of the new commune list with vietnam-provinces
    vp = load_vp(inputs["vietnam-provinces"])
    same_code = set(vp) & set(ncomm)
    same_name = sum(1 for c in same_code if key(vp[c]) == key(ncomm[c]["name"]))

    divided = sum(1 for (lvl, _), t in succ.items() if lvl == "c" and len(t) > 1)
    print(f"legacy provinces            {len(lprov)}")
    print(f"legacy districts            {len(ldist)}"
          f" ({sum(1 for d in ldist.values() if not d['has_communes'])} without communes)")
    print(f"legacy communes             {len(lcomm)}")
    print(f"new provinces               {len(nprov)}")
    print(f"new communes                {len(ncomm)}"
          f" ({sum(1 for c in ncomm.values() if c['kind'] == 'special_zone')} special zones)")
    print(f"succession rows             {len(succ_rows)}"
          f" ({divided} legacy communes divided, {sum(1 for (l, _) in succ if l == 'd')} districts)")
    print(f"countries                   {len(countries)}"
          f" ({sum(1 for r in countries if r[5] == '1')} territories)")
    print(f"generated hometown forms    {len(fixture)}")
    print(f"kind read from the name, differing from the source's type column: "
          f"{len(TYPE_DISAGREEMENTS)} communes")
    print(f"cross-check vietnam-provinces: {len(vp)} communes, {len(same_code)} same codes,"
          f" {same_name} of them with the same name")
    for p in sorted(inputs.values()):
        print(f"input {p.name} sha256 {sha256(p)}")


if __name__ == "__main__":
    main()
