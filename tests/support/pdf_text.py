"""The text of each page of a PDF Chromium printed (Skia's PDF backend), without a PDF library:
inflate the streams, follow each page's content stream and map its hex glyph strings through the
fonts' ToUnicode CMaps. Enough for checking what a printed page says, not a general PDF reader."""
from __future__ import annotations

import re
import zlib

_OBJ = re.compile(rb"(\d+) 0 obj(.*?)endobj", re.S)
_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)


def _objects(data: bytes) -> dict[int, tuple[bytes, bytes | None]]:
    out = {}
    for m in _OBJ.finditer(data):
        body = m.group(2)
        s = _STREAM.search(body)
        raw = None
        if s:
            raw = s.group(1)
            if b"/FlateDecode" in body[:s.start()]:
                try:
                    raw = zlib.decompress(raw)
                except zlib.error:
                    raw = zlib.decompressobj().decompress(raw)
        out[int(m.group(1))] = (body[:s.start()] if s else body, raw)
    return out


def _cmap(raw: bytes) -> dict[str, str]:
    out: dict[str, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", raw, re.S):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            out[src.decode().upper()] = bytes.fromhex(dst.decode()).decode("utf-16-be", "replace")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", raw, re.S):
        for lo, hi, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            width, start = len(lo), int(dst, 16)
            for k, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                out[f"{code:0{width}X}"] = chr(start + k)
    return out


def _ref(body: bytes, key: bytes) -> list[int]:
    m = re.search(rb"/" + key + rb"\s*(\[[^\]]*\]|\d+ 0 R)", body)
    return [int(x) for x in re.findall(rb"(\d+) 0 R", m.group(1))] if m else []


def _fonts(objs, page_body: bytes) -> dict[str, dict[str, str]]:
    res = page_body
    for r in _ref(page_body, b"Resources"):
        res = objs[r][0]
    m = re.search(rb"/Font\s*(<<.*?>>|\d+ 0 R)", res, re.S)
    if not m:
        return {}
    fonts = m.group(1)
    if fonts.endswith(b"R"):
        fonts = objs[int(fonts.split()[0])][0]
    out = {}
    for name, num in re.findall(rb"/([A-Za-z0-9_.+-]+)\s+(\d+) 0 R", fonts):
        body = objs[int(num)][0]
        tu = _ref(body, b"ToUnicode")
        out[name.decode()] = _cmap(objs[tu[0]][1] or b"") if tu else {}
    return out


def _text(content: bytes, fonts: dict[str, dict[str, str]]) -> str:
    out, cmap = [], {}
    for tok in re.finditer(rb"/([A-Za-z0-9_.+-]+)\s+[\d.]+\s+Tf|<([0-9A-Fa-f]*)>|(T\*|Td|TD|ET)", content):
        if tok.group(1):
            cmap = fonts.get(tok.group(1).decode(), {})
        elif tok.group(2) is not None:
            h = tok.group(2).decode().upper()
            width = 4 if cmap and len(next(iter(cmap))) == 4 else 2
            out.append("".join(cmap.get(h[i:i + width], "") for i in range(0, len(h), width)))
        else:
            out.append(" ")
    return "".join(out)


def page_texts(data: bytes) -> list[str]:
    """The text of every page, in page order."""
    objs = _objects(data)
    pages_root = [n for n, (b, _) in objs.items() if re.search(rb"/Type\s*/Pages\b", b)]
    kids_of = {n: _ref(objs[n][0], b"Kids") for n in pages_root}
    roots = [n for n in pages_root if not any(n in k for k in kids_of.values())]
    order: list[int] = []

    def walk(n):
        if n in kids_of:
            for k in kids_of[n]:
                walk(k)
        else:
            order.append(n)

    for r in roots:
        walk(r)
    texts = []
    for n in order:
        body = objs[n][0]
        fonts = _fonts(objs, body)
        texts.append("".join(_text(objs[c][1] or b"", fonts) for c in _ref(body, b"Contents")))
    return texts
