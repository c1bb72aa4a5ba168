"""Mutated documents, and a driver that reads them all through the reader process.

Shared by tests/test_fuzz.py (a fixed seed, about a thousand files, in CI) and scripts/fuzz
(any seed and count). Seeds are the corpus PDFs, read in place, and Word files made here with
python-docx; the mutations are what downloads, mail gateways, broken tools and attackers do to
files: truncation, flipped bytes, spliced garbage, damaged numbers and keywords, deep nesting,
damaged ZIP members, lying ZIP headers. The same seed always gives the same files.

Every file must end in a Document or a typed DocumentError within the time limit, with this
process alive; anything else is a failure, and the file that caused it is named.
"""

from __future__ import annotations

import io
import random
import re
import time
import zipfile
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from app.core.documents.isolation import ReaderPool
from app.core.errors import DocumentError
from app.core.settings import LimitSettings

#: Corpus PDFs up to this size seed the CI run: the big ones cost seconds a file once damaged.
SMALL_PDF_BYTES = 100_000
_PDF_KEYWORDS = (b"endstream", b"stream", b"endobj", b" obj", b"xref", b"trailer", b"startxref",
                 b"/Length", b"/Filter", b"/Kids", b"/Count", b"/Font", b"/Contents", b"/Root", b"R ")
_NUMBER = re.compile(rb"\d+")


@dataclass
class Mutant:
    name: str
    data: bytes


@dataclass
class FuzzReport:
    count: int = 0
    seconds: float = 0.0
    #: "Document", an error class name, "crash" or "timeout" → how many files ended so.
    outcomes: Counter = field(default_factory=Counter)
    #: Files that broke the promise, each with what happened.
    failures: list[str] = field(default_factory=list)
    crashes: list[str] = field(default_factory=list)
    slowest: tuple[float, str] = (0.0, "")

    def summary(self) -> str:
        kinds = ", ".join(f"{name} {number}" for name, number in self.outcomes.most_common())
        return (f"{self.count} files in {self.seconds:.1f} s ({self.seconds / max(self.count, 1) * 1000:.0f} ms "
                f"each); slowest {self.slowest[0]:.2f} s ({self.slowest[1]}); {kinds}; "
                f"{len(self.failures)} failures")


# ----- seeds ------------------------------------------------------------------------------

def pdf_seeds(corpus_dir: Path, max_bytes: int | None = SMALL_PDF_BYTES) -> list[tuple[str, bytes]]:
    paths = sorted(corpus_dir.glob("*/*.pdf"))
    return [(path.stem, path.read_bytes()) for path in paths if max_bytes is None or path.stat().st_size <= max_bytes]


def docx_seeds() -> list[tuple[str, bytes]]:
    import docx

    seeds = []
    report = docx.Document()
    report.core_properties.title = "Quarterly report"
    report.add_heading("Quarterly report", level=1)
    report.add_paragraph("Costs fell by 12 percent in every region we measured.")
    for item in ("First point", "Second point"):
        report.add_paragraph(item, style="List Bullet")
    table = report.add_table(rows=2, cols=2)
    for row, values in zip(table.rows, (("Item", "Cost"), ("Staff", "1.2 million yen"))):
        row.cells[0].text, row.cells[1].text = values
    report.sections[0].header.paragraphs[0].text = "ACME Corp — Internal"
    report.sections[0].footer.paragraphs[0].text = "Confidential"
    seeds.append(("report", report))
    japanese = docx.Document()
    japanese.add_heading("第1章 概要", level=1)
    japanese.add_paragraph("本書は二〇二四年度の活動をまとめたものです。予算は四千八百万円でした。")
    japanese.add_heading("第2章 詳細", level=2)
    japanese.add_paragraph("以上です。")
    seeds.append(("japanese", japanese))
    long = docx.Document()
    for number in range(60):
        if number % 10 == 0:
            long.add_heading(f"Section {number // 10 + 1}", level=2)
        long.add_paragraph(f"Paragraph {number} says something about item {number * 7} in some detail.")
    seeds.append(("long", long))
    out = []
    for name, document in seeds:
        buffer = io.BytesIO()
        document.save(buffer)
        with zipfile.ZipFile(buffer) as archive:
            members = [(info.filename, archive.read(info)) for info in archive.infolist()]
        # python-docx stamps each member with the current time; the same seed must make the same
        # bytes today and tomorrow.
        out.append((name, _zip(members)))
    return out


def _zip(members: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for member_name, member_content in members:
            info = zipfile.ZipInfo(member_name, date_time=(1980, 1, 1, 0, 0, 0))
            archive.writestr(info, member_content, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


# ----- mutations --------------------------------------------------------------------------

def _truncate(rng: random.Random, data: bytes) -> bytes:
    return data[:rng.randrange(1, len(data))]


def _flip(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 16)):
        out[rng.randrange(len(out))] ^= rng.randint(1, 255)
    return bytes(out)


def _splice(rng: random.Random, data: bytes) -> bytes:
    start = rng.randrange(len(data))
    end = min(len(data), start + rng.randint(1, 256))
    choice = rng.randrange(4)
    if choice == 0:
        middle = rng.randbytes(end - start)
    elif choice == 1:
        middle = b""  # a deleted span
    elif choice == 2:
        middle = data[start:end] * rng.randint(2, 50)  # a repeated span
    else:
        middle = bytes(end - start)
    return data[:start] + middle + data[end:]


def _number(rng: random.Random, data: bytes) -> bytes:
    matches = list(_NUMBER.finditer(data, 0, min(len(data), 1 << 20)))
    if not matches:
        return _flip(rng, data)
    match = rng.choice(matches)
    replacement = rng.choice([b"0", b"-1", b"4294967295", b"99999999999999999999", b"2147483648",
                              str(rng.randint(0, 10**6)).encode()])
    return data[:match.start()] + replacement + data[match.end():]


def _keyword(rng: random.Random, data: bytes) -> bytes:
    keyword = rng.choice(_PDF_KEYWORDS)
    spots = [match.start() for match in re.finditer(re.escape(keyword), data)]
    if not spots:
        return _splice(rng, data)
    spot = rng.choice(spots)
    replacement = rng.choice([b"", rng.randbytes(len(keyword)), keyword[::-1], keyword * 3])
    return data[:spot] + replacement + data[spot + len(keyword):]


def _nest(rng: random.Random, data: bytes) -> bytes:
    spot = rng.randrange(min(len(data), 16), len(data))
    opener = rng.choice([b"[", b"<< /A ", b"(", b"<"])
    return data[:spot] + opener * rng.randint(100, 50_000) + data[spot:]


_BYTE_MUTATIONS = {"truncate": _truncate, "flip": _flip, "splice": _splice}
_PDF_MUTATIONS = {**_BYTE_MUTATIONS, "number": _number, "keyword": _keyword, "nest": _nest}


def _damage_member(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    """Rebuild the ZIP with one member changed, dropped or swapped."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = [(info.filename, archive.read(info)) for info in archive.infolist()]
    index = rng.randrange(len(members))
    name, content = members[index]
    how = rng.choice(["truncate", "flip", "splice", "drop", "garbage", "swap", "laughs", "nest"])
    if how == "drop":
        del members[index]
    elif how == "swap":
        other = rng.randrange(len(members))
        members[index], members[other] = (name, members[other][1]), (members[other][0], content)
    elif how == "garbage":
        members[index] = (name, rng.randbytes(rng.randint(0, 2000)))
    elif how == "laughs":
        laughs = (b'<!DOCTYPE r [<!ENTITY a "haha">'
                  + b"".join(b'<!ENTITY %c "%s">' % (98 + n, b"&%c;" % (97 + n) * 10) for n in range(9)) + b"]>")
        head, _, rest = content.partition(b"?>")
        members[index] = (name, head + b"?>" + laughs + rest.replace(b">", b">&j;", 1) if rest else laughs + content)
    elif how == "nest":
        spot = content.rfind(b"<w:body>")
        spot = spot + 8 if spot >= 0 else len(content) // 2
        depth = rng.randint(100, 5000)
        members[index] = (name, content[:spot] + b"<w:sdt><w:sdtContent>" * depth + content[spot:])
    elif content:
        members[index] = (name, _BYTE_MUTATIONS[how](rng, content))
    return f"member-{how}-{name.replace('/', '_')}", _zip(members)


def _lying_header(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    """Change one field of one central-directory entry: sizes, CRC, method or offset."""
    entries = [match.start() for match in re.finditer(rb"PK\x01\x02", data)]
    if not entries:
        return "flip", _flip(rng, data)
    entry = rng.choice(entries)
    field_name, offset, width = rng.choice([("crc", 16, 4), ("packed", 20, 4), ("size", 24, 4),
                                            ("method", 10, 2), ("offset", 42, 4), ("namelen", 28, 2)])
    value = rng.choice([0, 1, 2**(8 * width) - 1, rng.randrange(2**(8 * width))])
    out = bytearray(data)
    out[entry + offset:entry + offset + width] = value.to_bytes(width, "little")
    return f"header-{field_name}", bytes(out)


def mutants(seed: int, count: int, pdfs: list[tuple[str, bytes]], docxs: list[tuple[str, bytes]]) -> Iterator[Mutant]:
    """`count` mutated files, about two PDFs to each Word file; the same seed, the same files."""
    rng = random.Random(seed)
    for index in range(count):
        if rng.random() < 0.65 and pdfs:
            stem, data = rng.choice(pdfs)
            mutation = rng.choice(sorted(_PDF_MUTATIONS))
            data = _PDF_MUTATIONS[mutation](rng, data)
            suffix = "pdf"
        else:
            stem, data = rng.choice(docxs)
            choice = rng.random()
            if choice < 0.5:
                mutation, data = _damage_member(rng, data)
            elif choice < 0.7:
                mutation, data = _lying_header(rng, data)
            else:
                mutation = rng.choice(sorted(_BYTE_MUTATIONS))
                data = _BYTE_MUTATIONS[mutation](rng, data)
            suffix = "docx"
        # A second mutation now and then: damage rarely comes alone.
        if rng.random() < 0.2 and data:
            second = rng.choice(sorted(_BYTE_MUTATIONS))
            mutation, data = f"{mutation}+{second}", _BYTE_MUTATIONS[second](rng, data)
        yield Mutant(f"{index:05d}-{stem[:24]}-{mutation[:40]}.{suffix}", data or b"%")


# ----- the driver -------------------------------------------------------------------------

def run(files: Iterator[Mutant], folder: Path, *, limits: LimitSettings, threads: int = 2,
        pool: ReaderPool | None = None) -> FuzzReport:
    """Read every file through reader processes, `threads` at a time; the report says how
    each ended. Files are written to `folder`; those that crashed a reader, timed out or
    failed are kept there to reproduce with, the rest deleted."""
    own_pool = pool is None
    pool = pool or ReaderPool(keep_warm=threads)
    report = FuzzReport()
    started = time.monotonic()

    def read(mutant: Mutant) -> tuple[str, str, float]:
        path = folder / mutant.name
        path.write_bytes(mutant.data)
        began = time.monotonic()
        try:
            pool.read(path, limits=limits)
            outcome = "Document"
        except DocumentError as error:
            message = str(error)
            outcome = ("crash" if message.startswith("Reading this file crashed")
                       else "timeout" if "took longer than" in message
                       else "failure: the reader did not start" if "did not start" in message
                       else type(error).__name__)
        except BaseException as error:  # noqa: BLE001 — exactly what the fuzz test looks for
            outcome = f"failure: {type(error).__name__}: {error}"
        seconds = time.monotonic() - began
        if not outcome.startswith(("crash", "timeout", "failure")):
            path.unlink()
        return mutant.name, outcome, seconds

    try:
        with ThreadPoolExecutor(max_workers=threads) as executor:
            for name, outcome, seconds in executor.map(read, files):
                report.count += 1
                if seconds > limits.max_read_seconds + 5:
                    outcome = f"failure: took {seconds:.1f} s, over the {limits.max_read_seconds} s limit"
                if outcome.startswith("failure"):
                    report.failures.append(f"{name}: {outcome}")
                    outcome = "failure"
                elif outcome == "crash":
                    report.crashes.append(name)
                report.outcomes[outcome] += 1
                report.slowest = max(report.slowest, (seconds, name))
    finally:
        if own_pool:
            pool.close()
    report.seconds = time.monotonic() - started
    return report
