"""A QR code encoder for one job: a URL in byte mode, error correction level M, a fixed mask.

segno draws the same symbol, bit for bit (tests/test_qr.py compares them), but spends ~3 ms per code placing
modules one by one and trying all eight masks — a third of a certificate's time. Here everything that does
not depend on the data (function patterns, format and version information, the zigzag order of the data
modules, the mask) is computed once per version and cached; a code is then Reed–Solomon over a few dozen
bytes and flipping the modules of the 1 bits. The algorithm follows ISO/IEC 18004 as laid out in Project
Nayuki's reference implementation (MIT).
"""

from __future__ import annotations

import functools

# Level M: error-correction codewords per block and number of blocks, versions 1-40 (index 0 unused).
ECC_PER_BLOCK_M = (
    0,
    10,
    16,
    26,
    18,
    24,
    16,
    18,
    22,
    22,
    26,
    30,
    22,
    22,
    24,
    24,
    28,
    28,
    26,
    26,
    26,
    26,
    28,
    28,
    28,
    28,
    28,
    28,
    28,
    28,
    28,
    28,
    28,
    28,
    28,
    28,
    28,
    28,
    28,
    28,
    28,
)
BLOCKS_M = (
    0,
    1,
    1,
    1,
    2,
    2,
    4,
    4,
    4,
    5,
    5,
    5,
    8,
    9,
    9,
    10,
    10,
    11,
    13,
    14,
    16,
    17,
    17,
    18,
    20,
    21,
    23,
    25,
    26,
    28,
    29,
    31,
    33,
    35,
    37,
    38,
    40,
    43,
    45,
    47,
    49,
)
FORMAT_BITS_M = 0  # level M's two format bits
MASK = 2  # x % 3 == 0. Every mask gives a valid symbol; scoring all eight only picks the easiest to scan

_EXP = [0] * 512
_LOG = [0] * 256
_x = 1
for _i in range(255):
    _EXP[_i] = _x
    _LOG[_x] = _i
    _x <<= 1
    if _x & 0x100:
        _x ^= 0x11D
for _i in range(255, 512):
    _EXP[_i] = _EXP[_i - 255]


def _raw_data_modules(ver: int) -> int:
    result = (16 * ver + 128) * ver + 64
    if ver >= 2:
        align = ver // 7 + 2
        result -= (25 * align - 10) * align - 55
        if ver >= 7:
            result -= 36
    return result


def data_capacity(ver: int) -> int:
    """Data codewords at level M."""
    return _raw_data_modules(ver) // 8 - ECC_PER_BLOCK_M[ver] * BLOCKS_M[ver]


def _alignment_positions(ver: int, size: int) -> list[int]:
    if ver == 1:
        return []
    align = ver // 7 + 2
    step = 26 if ver == 32 else (ver * 4 + align * 2 + 1) // (align * 2 - 2) * 2
    return [6] + sorted(size - 7 - i * step for i in range(align - 1))


@functools.cache
def _divisor(degree: int) -> tuple[int, ...]:
    result = [0] * (degree - 1) + [1]
    root = 1
    for _ in range(degree):
        for j in range(degree):
            result[j] = _mul(result[j], root)
            if j + 1 < degree:
                result[j] ^= result[j + 1]
        root = _mul(root, 2)
    return tuple(result)


def _mul(a: int, b: int) -> int:
    return 0 if a == 0 or b == 0 else _EXP[_LOG[a] + _LOG[b]]


@functools.cache
def _rows(degree: int) -> tuple[int, ...]:
    """For each factor 0-255: the divisor times that factor, as one big-endian integer of `degree` bytes."""
    divisor = _divisor(degree)
    return tuple(int.from_bytes(bytes(_mul(c, f) for c in divisor), "big") for f in range(256))


def _remainder(data, degree: int) -> list[int]:
    """Reed–Solomon remainder of `data` (the error-correction codewords), with the remainder kept as one
    integer: one shift, one mask and one xor per data byte."""
    rows, top, full = _rows(degree), 8 * (degree - 1), (1 << (8 * degree)) - 1
    rem = 0
    for b in data:
        rem = ((rem << 8) & full) ^ rows[b ^ (rem >> top)]
    return list(rem.to_bytes(degree, "big"))


@functools.cache
def _template(ver: int) -> tuple[int, bytes, tuple[int, ...]]:
    """(size, the masked matrix of a symbol whose data bits are all 0 as a flat bytearray of 0/1, the flat index
    of each data bit in placement order)."""
    size = ver * 4 + 17
    mods = [[0] * size for _ in range(size)]
    func = [[False] * size for _ in range(size)]

    def put(x, y, dark):
        mods[y][x] = 1 if dark else 0
        func[y][x] = True

    for i in range(size):  # timing patterns
        put(6, i, i % 2 == 0)
        put(i, 6, i % 2 == 0)
    for cx, cy in ((3, 3), (size - 4, 3), (3, size - 4)):  # finders with separators
        for dy in range(-4, 5):
            for dx in range(-4, 5):
                x, y = cx + dx, cy + dy
                if 0 <= x < size and 0 <= y < size:
                    put(x, y, max(abs(dx), abs(dy)) not in (2, 4))
    pos = _alignment_positions(ver, size)
    last = len(pos) - 1
    for i, ax in enumerate(pos):
        for j, ay in enumerate(pos):
            if (i, j) in ((0, 0), (0, last), (last, 0)):
                continue
            for dy in range(-2, 3):
                for dx in range(-2, 3):
                    put(ax + dx, ay + dy, max(abs(dx), abs(dy)) != 1)
    # Format information (level M, fixed mask), both copies, and the dark module.
    data = FORMAT_BITS_M << 3 | MASK
    rem = data
    for _ in range(10):
        rem = (rem << 1) ^ ((rem >> 9) * 0x537)
    bits = (data << 10 | rem) ^ 0x5412
    bit = lambda v, i: (v >> i) & 1  # noqa: E731
    for i in range(6):
        put(8, i, bit(bits, i))
    put(8, 7, bit(bits, 6))
    put(8, 8, bit(bits, 7))
    put(7, 8, bit(bits, 8))
    for i in range(9, 15):
        put(14 - i, 8, bit(bits, i))
    for i in range(8):
        put(size - 1 - i, 8, bit(bits, i))
    for i in range(8, 15):
        put(8, size - 15 + i, bit(bits, i))
    put(8, size - 8, True)
    if ver >= 7:  # version information
        rem = ver
        for _ in range(12):
            rem = (rem << 1) ^ ((rem >> 11) * 0x1F25)
        vbits = ver << 12 | rem
        for i in range(18):
            a, b = size - 11 + i % 3, i // 3
            put(a, b, bit(vbits, i))
            put(b, a, bit(vbits, i))
    order = []
    right = size - 1
    while right >= 1:
        if right == 6:
            right = 5
        for vert in range(size):
            for j in range(2):
                x = right - j
                upward = ((right + 1) & 2) == 0
                y = size - 1 - vert if upward else vert
                if not func[y][x]:
                    order.append(y * size + x)
        right -= 2
    flat = bytearray(size * size)
    for y in range(size):
        for x in range(size):
            flat[y * size + x] = mods[y][x] if func[y][x] else (1 if x % 3 == 0 else 0)  # mask 2 on data area
    return size, bytes(flat), tuple(order)


def _codewords(payload: bytes, ver: int) -> list[int]:
    count_bits = 8 if ver <= 9 else 16
    capacity = data_capacity(ver)
    bits = 0b0100 << count_bits | len(payload)  # byte mode, character count
    nbits = 4 + count_bits
    value = int.from_bytes(payload, "big") if payload else 0
    bits = bits << (8 * len(payload)) | value
    nbits += 8 * len(payload)
    room = capacity * 8 - nbits
    terminator = min(4, room)
    bits <<= terminator
    nbits += terminator
    # Pad to a codeword boundary. Like segno, a stream that already ends on one still gets a zero codeword
    # (harmless: readers stop at the terminator), so both libraries draw the same symbol.
    pad = 8 - nbits % 8 if nbits < capacity * 8 else 0
    bits <<= pad
    nbits += pad
    data = list(bits.to_bytes(nbits // 8, "big"))
    filler = (0xEC, 0x11)
    data += [filler[i % 2] for i in range(capacity - len(data))]
    blocks_n, ecc_len = BLOCKS_M[ver], ECC_PER_BLOCK_M[ver]
    raw = _raw_data_modules(ver) // 8
    short_len = raw // blocks_n
    shorts = blocks_n - raw % blocks_n
    blocks, k = [], 0
    for i in range(blocks_n):
        n = short_len - ecc_len + (0 if i < shorts else 1)
        chunk = data[k : k + n]
        k += n
        blocks.append((chunk, _remainder(chunk, ecc_len)))
    out = []
    for i in range(short_len - ecc_len + 1):
        for chunk, _ in blocks:
            if i < len(chunk):
                out.append(chunk[i])
    for i in range(ecc_len):
        for _, ecc in blocks:
            out.append(ecc[i])
    return out


def version_for(payload: bytes) -> int:
    for ver in range(1, 41):
        count_bits = 8 if ver <= 9 else 16
        if 4 + count_bits + 8 * len(payload) <= data_capacity(ver) * 8:
            return ver
    raise ValueError("too long for a QR code")


def encode(text: str, version: int | None = None) -> tuple[int, bytes]:
    """(size, modules as a flat bytes of 0/1, row by row, 1 = dark), no quiet zone. Byte mode with the
    text's ISO-8859-1 bytes when possible, else UTF-8 (as segno does without ECI)."""
    try:
        payload = text.encode("iso-8859-1")
    except UnicodeEncodeError:
        payload = text.encode("utf-8")
    ver = version or version_for(payload)
    size, flat, order = _template(ver)
    modules = bytearray(flat)
    codewords = _codewords(payload, ver)
    i = 0
    for byte in codewords:
        if byte:
            for b in range(8):
                if byte & (0x80 >> b):
                    modules[order[i + b]] ^= 1
        i += 8
    return size, bytes(modules)
