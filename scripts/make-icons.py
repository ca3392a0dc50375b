#!/usr/bin/env python3
"""Draws the app's raster icons (PNG and ICO) from the same geometry as web/static/favicon.svg.

Standard library only: a 4x4 supersampled rasteriser of one rounded square and the "Z" polygon.
Run once when the mark changes; its outputs are committed in web/static/.
"""
import struct
import zlib
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "web" / "static"
TOP, BOTTOM = (0x63, 0x66, 0xF1), (0x43, 0x38, 0xCA)  # indigo 500 -> 700, as in favicon.svg
# The mark on a 64-unit square: a rounded square and a "Z" (top bar, diagonal, bottom bar).
Z = [(18, 16), (46, 16), (46, 23), (28.5, 41), (46, 41), (46, 48), (18, 48), (18, 41), (35.5, 23), (18, 23)]


def inside_polygon(x, y, poly):
    hit = False
    for (x1, y1), (x2, y2) in zip(poly, poly[1:] + poly[:1]):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            hit = not hit
    return hit


def inside_rounded(x, y, radius, inset=0.0):
    lo, hi = inset, 64 - inset
    if not (lo <= x <= hi and lo <= y <= hi):
        return False
    cx = min(max(x, lo + radius), hi - radius)
    cy = min(max(y, lo + radius), hi - radius)
    return (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2


def render(size, maskable=False):
    """RGBA rows; `maskable` fills the whole square (platforms cut their own shape) and shrinks the Z."""
    rows, s = [], 4
    for py in range(size):
        row = bytearray([0])
        for px in range(size):
            cover = mark = 0
            for sy in range(s):
                for sx in range(s):
                    x = (px + (sx + 0.5) / s) * 64 / size
                    y = (py + (sy + 0.5) / s) * 64 / size
                    if maskable or inside_rounded(x, y, 14):
                        cover += 1
                        zx, zy = ((x - 32) / 0.7 + 32, (y - 32) / 0.7 + 32) if maskable else (x, y)
                        if inside_polygon(zx, zy, Z):
                            mark += 1
            t = py / max(size - 1, 1)
            bg = [round(a + (b - a) * t) for a, b in zip(TOP, BOTTOM)]
            n = s * s
            if cover == 0:
                row += bytes(4)
                continue
            k = mark / cover
            rgb = [round(c * (1 - k) + 255 * k) for c in bg]
            row += bytes(rgb + [round(255 * cover / n)])
        rows.append(bytes(row))
    return rows


def png(size, maskable=False):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(render(size, maskable))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def ico(sizes):
    images = [png(n) for n in sizes]
    header = struct.pack("<HHH", 0, 1, len(images))
    offset = 6 + 16 * len(images)
    entries = b""
    for n, data in zip(sizes, images):
        entries += struct.pack("<BBBBHHII", n % 256, n % 256, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
    return header + entries + b"".join(images)


if __name__ == "__main__":
    (OUT / "favicon.ico").write_bytes(ico([16, 32, 48]))
    (OUT / "apple-touch-icon.png").write_bytes(png(180, maskable=True))
    (OUT / "icon-192.png").write_bytes(png(192))
    (OUT / "icon-512.png").write_bytes(png(512))
    (OUT / "icon-maskable-512.png").write_bytes(png(512, maskable=True))
