"""Split one PDF written by fpdf2 into stand-alone PDFs of a few pages each, the objects the pages share (the
embedded fonts) copied byte for byte into every file.

Why: a document per receipt costs fpdf2 a font subset, a compile and a compression of the font on output (≈ 60 ms,
docs/BENCHMARKS.md, «Receipts»). Drawn as one document, a chunk of receipts pays that once; every file then gets
the chunk's subset (the glyphs the chunk uses, so it covers each of its receipts), its own pages, a page tree, a
catalog, the document information and a cross-reference table. Nothing is parsed but the object table: fpdf2 writes
a classic xref, one object after another, and only the dictionaries (never a stream) are searched for references.
"""

import hashlib
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import BinaryIO

REF = re.compile(rb"(\d+) 0 R")
PLAIN_STREAM = re.compile(rb"<<\s*/Length (\d+)\s*>>")
STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")
XREF_ENTRY = re.compile(rb"(\d{10}) (\d{5}) ([nf])")


class SplitError(ValueError):
    pass


@dataclass
class Obj:
    head: bytes  # the dictionary (or other value): the only part that can hold references
    tail: bytes  # from the stream keyword (if any) to "endobj", copied as it is
    refs: tuple[int, ...]


@dataclass
class Parsed:
    header: bytes  # "%PDF-1.x" and the binary comment line
    objects: dict[int, Obj]
    pages: list[int]  # page object numbers in order
    pages_root: int
    media_box: bytes
    info: int | None
    root: int  # the catalog


def _objects(data: bytes) -> tuple[bytes, dict[int, Obj], bytes]:
    """The header, every object by number, and the trailer dictionary."""
    found = STARTXREF.search(data, len(data) - 64)
    if not found:
        raise SplitError("no startxref at the end")
    xref = int(found.group(1))
    trailer_at = data.index(b"trailer", xref)
    entries = XREF_ENTRY.findall(data, xref, trailer_at)
    offsets = sorted((int(offset), number) for number, (offset, _, kind) in enumerate(entries) if kind == b"n")
    if not offsets:
        raise SplitError("an empty cross-reference table")
    ends = [offset for offset, _ in offsets[1:]] + [xref]
    objects = {}
    for (start, number), end in zip(offsets, ends, strict=True):
        raw = data[start:end]
        if not raw.startswith(b"%d 0 obj" % number):
            raise SplitError(f"object {number} is not at its offset")
        body = raw[raw.index(b"\n") + 1 :]
        cut = body.find(b"\nstream\n")
        if cut < 0:
            cut = body.rindex(b"endobj")
        head = body[:cut]
        objects[number] = Obj(head, body[cut:], tuple(int(n) for n in REF.findall(head)))
    return data[: offsets[0][0]], objects, data[trailer_at : found.start()]


def _ref(head: bytes, key: bytes) -> int:
    found = re.search(rb"/" + key + rb"\s+(\d+) 0 R", head)
    if not found:
        raise SplitError(f"no /{key.decode()} reference")
    return int(found.group(1))


def parse(data: bytes) -> Parsed:
    header, objects, trailer = _objects(data)
    root_number = _ref(trailer, b"Root")
    pages_root = _ref(objects[root_number].head, b"Pages")
    tree = objects[pages_root].head
    if b"/Kids" not in tree or b"/Type /Pages" not in tree:
        raise SplitError("the page tree is not flat")
    kids = re.search(rb"/Kids\s*\[([^\]]*)\]", tree).group(1)
    box = re.search(rb"/MediaBox\s*(\[[^\]]*\])", tree)
    info = _ref(trailer, b"Info") if b"/Info" in trailer else None
    pages = [int(n) for n in REF.findall(kids)]
    return Parsed(header, objects, pages, pages_root, box.group(1) if box else b"", info, root_number)


def _closure(parsed: Parsed, page: int) -> list[int]:
    """The objects a page needs, in the order met: never its parent (each file gets a page tree of its own)."""
    seen, order, todo = {parsed.pages_root}, [], [page]
    while todo:
        number = todo.pop()
        if number in seen:
            continue
        seen.add(number)
        order.append(number)
        todo.extend(reversed(parsed.objects[number].refs))
    return order


def _compressed(obj: Obj) -> Obj:
    """A stream fpdf2 leaves uncompressed (the fonts' ToUnicode maps, ≈ 3 KiB a file) compressed: shared objects
    are written once a chunk, so this costs nothing a file."""
    plain = PLAIN_STREAM.fullmatch(obj.head)
    if not plain or not obj.tail.startswith(b"\nstream\n"):
        return obj
    length = int(plain.group(1))
    data = obj.tail[8 : 8 + length]
    if obj.tail[8 + length :] != b"\nendstream\nendobj\n":
        return obj
    packed = zlib.compress(data)
    return Obj(
        b"<<\n/Filter /FlateDecode\n/Length %d\n>>" % len(packed), b"\nstream\n%s\nendstream\nendobj\n" % packed, ()
    )


def _write(number: int, obj: Obj, mapping: dict[int, int]) -> bytes:
    head = REF.sub(lambda m: b"%d 0 R" % mapping[int(m.group(1))], obj.head)
    return b"%d 0 obj\n%s%s" % (number, head, obj.tail)


class Splitter:
    """The files of one document: `file(first, last)` is pages first…last (1-based) as a PDF of their own."""

    FIXED = 3  # 1 the page tree, 2 the catalog, 3 the document information; the shared objects follow

    def __init__(self, data: bytes):
        parsed = self.parsed = parse(data)
        closures = [_closure(parsed, page) for page in parsed.pages]
        uses: dict[int, int] = {}
        for closure in closures:
            for number in closure:
                uses[number] = uses.get(number, 0) + 1
        # What more than one page needs (the fonts, their descriptors, widths, maps) is written once here, under
        # the same numbers in every file; a page's own objects are numbered after it, file by file.
        shared = [number for number in dict.fromkeys(n for c in closures for n in c) if uses[number] > 1]
        self.shared = {number: self.FIXED + 1 + i for i, number in enumerate(shared)}
        self.own = [[n for n in closure if n not in self.shared] for closure in closures]
        self.shared_bytes = [_write(self.shared[n], _compressed(parsed.objects[n]), self.shared) for n in shared]
        info = parsed.objects[parsed.info].head if parsed.info else b"<<\n>>"
        self.info = b"%d 0 obj\n%s\nendobj\n" % (self.FIXED, info)

    def file(self, first: int, last: int) -> bytes:
        parsed = self.parsed
        mapping = {parsed.pages_root: 1, **self.shared}
        own = [n for page in range(first, last + 1) for n in self.own[page - 1]]
        start = self.FIXED + 1 + len(self.shared)
        mapping.update((n, start + i) for i, n in enumerate(own))
        kids = b" ".join(b"%d 0 R" % mapping[parsed.pages[page - 1]] for page in range(first, last + 1))
        parts = [
            parsed.header,
            b"1 0 obj\n<<\n/Count %d\n/Kids [%s]\n/MediaBox %s\n/Type /Pages\n>>\nendobj\n"
            % (last - first + 1, kids, parsed.media_box),
            b"2 0 obj\n<<\n/OpenAction [%d 0 R /FitH null]\n/PageLayout /OneColumn\n/Pages 1 0 R\n/Type /Catalog\n>>\n"
            b"endobj\n" % mapping[parsed.pages[first - 1]],
            self.info,
            *self.shared_bytes,
            *(_write(mapping[n], parsed.objects[n], mapping) for n in own),
        ]
        return _finish(parts)


def _finish(parts: list[bytes]) -> bytes:
    """The objects (header first), then the cross-reference table and the trailer with an /ID of the file's own."""
    offsets, at = [], len(parts[0])
    for part in parts[1:]:
        offsets.append(at)
        at += len(part)
    body = b"".join(parts)
    digest = hashlib.md5(body, usedforsecurity=False).hexdigest().upper().encode()
    xref = b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    return (
        b"%sxref\n0 %d\n0000000000 65535 f \n%strailer\n<<\n/Size %d\n/Root 2 0 R\n/Info 3 0 R\n/ID [<%s><%s>]\n>>\n"
        b"startxref\n%d\n%%%%EOF\n" % (body, len(offsets) + 1, xref, len(offsets) + 1, digest, digest, at)
    )


def split(data: bytes, ranges: list[tuple[int, int]]) -> list[bytes]:
    """`data` cut into one file per (first, last) page range."""
    splitter = Splitter(data)
    return [splitter.file(first, last) for first, last in ranges]


def join(parts: Iterable[bytes], out: BinaryIO) -> None:
    """fpdf2's documents `parts` written to `out` as one PDF, their pages in order, one part in memory at a time:
    the printing house's file of a city (≈ 10 KiB a page, a gigabyte for 100 000 receipts) never is. Each part's
    objects are renumbered after the previous part's and copied as they are (every part keeps the fonts it embeds);
    its page tree's place goes to the file's one page tree, its catalog and information are left out."""
    offsets: list[int] = [0, 0, 0]  # 1 the page tree, 2 the catalog, 3 the document information: written last
    kids: list[int] = []
    media_box, info, at = b"", b"<<\n>>", 0
    for data in parts:
        parsed = parse(data)
        objects = parsed.objects
        if not at:
            at = out.write(parsed.header)
        media_box = media_box or parsed.media_box
        if parsed.info and info == b"<<\n>>":
            info = objects[parsed.info].head
        skip = {parsed.root, parsed.pages_root, parsed.info}
        mapping = {parsed.pages_root: 1}
        for number in objects:
            if number not in skip:
                mapping[number] = len(offsets) + len(mapping)
        for number, obj in objects.items():
            if number not in skip:
                offsets.append(at)
                at += out.write(_write(mapping[number], obj, mapping))
        kids += [mapping[page] for page in parsed.pages]
    tail = [
        b"1 0 obj\n<<\n/Count %d\n/Kids [%s]\n/MediaBox %s\n/Type /Pages\n>>\nendobj\n"
        % (len(kids), b" ".join(b"%d 0 R" % kid for kid in kids), media_box),
        b"2 0 obj\n<<\n/PageLayout /OneColumn\n/Pages 1 0 R\n/Type /Catalog\n>>\nendobj\n",
        b"3 0 obj\n%s\nendobj\n" % info,
    ]
    for n, part in enumerate(tail):
        offsets[n] = at
        at += out.write(part)
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(offsets) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
    out.write(b"trailer\n<<\n/Size %d\n/Root 2 0 R\n/Info 3 0 R\n>>\nstartxref\n%d\n%%%%EOF\n" % (len(offsets) + 1, at))
