#!/usr/bin/env python3
"""png.py: is a screenshot blank?  (tests/risk/html.sh; no PIL needed)

  png.py FILE.png
      Prints "W H INK COLOURS RED": the size, the share of pixels that are
      not near-white, the number of distinct colours (4 bits a channel)
      and the share of pixels of the report's bar red (#c0392b, within a
      tolerance).  Exits 1 when FILE is not an 8-bit non-interlaced PNG.
"""
import struct
import sys
import zlib


def read(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, hdr = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            hdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    w, h, depth, ctype, _, _, interlace = hdr
    if depth != 8 or interlace or ctype not in (2, 6):
        raise ValueError("unsupported PNG: depth %d type %d" % (depth, ctype))
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    stride = w * bpp
    prev = bytearray(stride)
    rows = []
    for y in range(h):
        ft = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if ft == 1:
                line[i] = (line[i] + a) & 255
            elif ft == 2:
                line[i] = (line[i] + b) & 255
            elif ft == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif ft == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + pr) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, bpp, rows


def main():
    try:
        w, h, bpp, rows = read(sys.argv[1])
    except (OSError, ValueError, TypeError, zlib.error) as e:
        print("unreadable: %s" % e)
        sys.exit(1)
    ink = red = 0
    colours = set()
    n = 0
    for line in rows[::2]:             # every other row and column
        for x in range(0, w * bpp, 2 * bpp):
            n += 1
            r, g, b = line[x], line[x + 1], line[x + 2]
            colours.add((r >> 4, g >> 4, b >> 4))
            if r < 235 or g < 235 or b < 235:
                ink += 1
            if abs(r - 0xc0) < 24 and abs(g - 0x39) < 24 and abs(b - 0x2b) < 24:
                red += 1
    print("%d %d %.4f %d %.4f" % (w, h, ink / n, len(colours), red / n))


main()
