"""Streaming record readers for csv, jsonl and parquet, plain or gzip.

Readers never hold a whole file: CSV is parsed by pyarrow's streaming
reader in 1 MiB blocks, JSON Lines line by line in batches, Parquet one
batch of a row group at a time through a seekable source. Every reader
yields ``Chunk``s of string columns, so validation is one vectorised code
path whatever the format. Problems a reader can see on its own (a row
with the wrong number of fields, a line that is not JSON, bytes that are
not UTF-8) come out as per-row errors; problems that make the rest of the
file unreadable raise ``FileRejected`` with a reason code.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import itertools
import json
import os
import re
import zlib
from collections import deque
from collections.abc import Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from taxlake.records.checks import Reason

GZIP_MAGIC = b"\x1f\x8b"
PARQUET_MAGIC = b"PAR1"
HEADER_PEEK_BYTES = 1 << 16
CSV_BLOCK_BYTES = 1 << 20
JSONL_BATCH_ROWS = 16_384
JSONL_BATCH_BYTES = 8 << 20  # a batch of long lines is cut earlier: memory, not rows, is the budget
PARQUET_BATCH_ROWS = 16_384
JSONL_HEADER_PEEK = 1000  # non-blank lines searched for the first object that names fields
UTF8_BOM = codecs.BOM_UTF8

_FORMAT_SUFFIXES = {
    ".csv": "csv",
    ".txt": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}


@dataclass(frozen=True)
class Limits:
    """What one file may cost; reaching a limit quarantines the file with its reason.

    The one place these numbers live. ``from_env`` reads the Lambda's
    ``MAX_*`` variables; the CLI takes the same as ``--max-*`` flags. Each
    limit exists because a small upload could otherwise take GBs or minutes
    (a 100 KB gzip of newlines inflates to 100 MB; one 256 MiB JSON line).
    """

    max_decoded_bytes: int = 16 << 30  # gzip input, after inflation (DECOMPRESSION_LIMIT)
    max_ratio: float = 100.0  # inflated / stored bytes of gzip input (DECOMPRESSION_LIMIT) ...
    ratio_after_bytes: int = 16 << 20  # ... checked once this much is inflated: tiny files may be extreme
    max_line_bytes: int = 1 << 20  # one CSV row or JSON line (LINE_TOO_LONG)
    max_rows: int = 50_000_000  # records read (ROW_LIMIT)

    _ENV: ClassVar[dict[str, str]] = {
        "max_decoded_bytes": "MAX_DECODED_BYTES",
        "max_ratio": "MAX_DECOMPRESSION_RATIO",
        "ratio_after_bytes": "RATIO_AFTER_BYTES",
        "max_line_bytes": "MAX_LINE_BYTES",
        "max_rows": "MAX_ROWS",
    }

    def __post_init__(self) -> None:
        for f in fields(self):
            if getattr(self, f.name) <= 0:
                raise ValueError(f"{f.name} must be positive, got {getattr(self, f.name)}")

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> Limits:
        """Defaults, overridden by whichever ``MAX_*`` variables are set (empty: default)."""
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(cls._ENV[f.name], "")
            if raw:
                values[f.name] = float(raw) if f.name == "max_ratio" else int(raw)
        return cls(**values)


# Any binary file-like object with read(n): boto3 bodies, GzipFile, RawIOBase
# wrappers... typeshed gives them no common protocol that mypy accepts.
Stream = Any


class FileRejected(Exception):
    """The file as a whole cannot be read; ``reason`` is machine-readable."""

    def __init__(self, reason: Reason, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass
class Chunk:
    """A batch of records as string columns plus what the reader saw per row."""

    columns: dict[str, pa.Array]
    num_rows: int
    first_rank: int  # 0-based position of the first row among all rows read
    row_errors: list[tuple[Reason, pa.Array]] = field(default_factory=list)
    raw: list[str] | None = None  # original text, for rows with no columns
    explicit_lines: Sequence[int] | None = None
    line_of_rank: Any = None  # callable rank -> physical line, set by reader

    def lines(self, indices: list[int]) -> list[int]:
        if self.explicit_lines is not None:
            return [self.explicit_lines[i] for i in indices]
        return [self.line_of_rank(self.first_rank + i) for i in indices]

    def line_array(self) -> pa.Array:
        """Every row's physical line (row number for parquet), as int64."""
        if isinstance(self.explicit_lines, range):
            return pa.array(self.explicit_lines, pa.int64())
        return pa.array(self.lines(list(range(self.num_rows))), pa.int64())


@dataclass(frozen=True)
class FileFormat:
    name: str  # csv | jsonl | parquet
    compression: str | None  # gzip | None


class CountingReader(io.RawIOBase):
    """Counts bytes pulled from an underlying binary stream.

    With ``limits`` and ``stored`` (the counter on the compressed bytes) it
    is the inflated side of a gzip stream and enforces the decompression
    limits as bytes arrive, before anything holds them.
    """

    def __init__(self, raw: Stream, limits: Limits | None = None, stored: CountingReader | None = None) -> None:
        self._raw = raw
        self.bytes_read = 0
        self._limits = limits
        self._stored = stored
        # for compressed input, the counter after decompression (set by open_source)
        self.decoded: CountingReader | None = None

    @property
    def bytes_decoded(self) -> int:
        """Bytes after decompression: what processing holds in memory, not what S3 stores."""
        return self.decoded.bytes_read if self.decoded is not None else self.bytes_read

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.bytes_read += n
        if self._limits is not None and self._stored is not None:
            self._check(self._limits, self._stored.bytes_read)
        return n

    def _check(self, limits: Limits, stored: int) -> None:
        if self.bytes_read > limits.max_decoded_bytes:
            raise FileRejected(
                Reason.DECOMPRESSION_LIMIT, f"inflates past {limits.max_decoded_bytes:,} bytes (max_decoded_bytes)"
            )
        if self.bytes_read > limits.ratio_after_bytes and self.bytes_read > limits.max_ratio * max(stored, 1):
            raise FileRejected(
                Reason.DECOMPRESSION_LIMIT,
                f"{stored:,} stored bytes inflate to more than {self.bytes_read:,} (ratio above {limits.max_ratio:g})",
            )


class PrefixedReader(io.RawIOBase):
    """Replays bytes already read (a peek) before the rest of a stream."""

    def __init__(self, prefix: bytes, rest: Stream) -> None:
        self._prefix = prefix
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._prefix:
            n = min(len(buffer), len(self._prefix))
            buffer[:n] = self._prefix[:n]
            self._prefix = self._prefix[n:]
            return n
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


REPLACEMENT = "\ufffd"


class Utf8Repair(io.RawIOBase):
    """Re-encodes a byte stream as valid UTF-8, bad bytes becoming U+FFFD.

    pyarrow's CSV reader cannot hand a malformed row holding invalid UTF-8
    to Python (it fails the whole read), so bytes are repaired on the way in
    and rows holding U+FFFD are rejected as INVALID_ENCODING afterwards.
    """

    def __init__(self, raw: Stream) -> None:
        self._raw = raw
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._pending = b""
        self._eof = False
        self.replacements = 0  # how many bad sequences were replaced so far

    def stop(self) -> None:
        """Read nothing more: a reader abandoned mid-file must not keep pulling bytes."""
        self._eof = True
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending and not self._eof:
            data = self._raw.read(max(len(buffer), 1 << 16))
            text = self._decoder.decode(data, final=not data)
            self._eof = not data
            self.replacements += text.count(REPLACEMENT)
            self._pending = text.encode("utf-8")
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n


class BlankLines(io.RawIOBase):
    """Drops empty lines outside quoted values from CSV text, remembering where they were.

    pyarrow would turn each into a row of empty fields (a 100 MB run of
    newlines: 100 M rows, GBs), or skip it without saying where. Quotes are
    tracked by parity, which is what RFC 4180 quoting gives; a stray quote
    inside an unquoted field can only misplace a line number (pyarrow still
    skips any empty line left in).
    """

    # character classes, not (\r?\n)+: the regex engine runs them 100x faster on a long run
    _RUN = re.compile(rb"\n[\r\n]*\n")
    _LEADING = re.compile(rb"[\r\n]*\n")

    def __init__(self, raw: Stream) -> None:
        self._raw = raw
        self._pending = b""
        self._held = b""
        self._eof = False
        self._in_quote = False
        self._after_break = False  # the text passed on so far ends a line
        self._lines = 0  # line breaks passed on so far
        # (line breaks passed on before the gap, empty lines dropped there), oldest first
        self.gaps: deque[tuple[int, int]] = deque()
        self.dropped = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending and not self._eof:
            data = self._raw.read(CSV_BLOCK_BYTES)
            self._eof = not data
            data, self._held = self._held + data, b""
            if data.endswith(b"\r") and not self._eof:
                # may be the first half of a CRLF that the next read completes
                data, self._held = data[:-1], b"\r"
            self._pending = self._filter(data)
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n

    def _gap(self, run: bytes) -> None:
        dropped = run.count(b"\n")
        self.gaps.append((self._lines, dropped))
        self.dropped += dropped

    def _filter(self, data: bytes) -> bytes:
        out: list[bytes] = []
        pos = quoted_upto = 0
        if self._after_break and not self._in_quote:
            lead = self._LEADING.match(data)
            if lead:
                self._gap(lead.group())
                pos = quoted_upto = lead.end()
        for m in self._RUN.finditer(data, pos):
            self._in_quote ^= bool(data.count(b'"', quoted_upto, m.start()) & 1)
            quoted_upto = m.start()
            if self._in_quote:
                continue
            kept = data[pos : m.start() + 1]
            out.append(kept)
            self._lines += kept.count(b"\n")
            self._gap(data[m.start() + 1 : m.end()])
            pos = m.end()
        self._in_quote ^= bool(data.count(b'"', quoted_upto) & 1)
        out.append(data[pos:])
        self._lines += data.count(b"\n", pos)
        if data:
            self._after_break = data.endswith(b"\n")
        return b"".join(out)


def _read_exactly(stream: Stream, n: int) -> bytes:
    parts: list[bytes] = []
    remaining = n
    while remaining > 0:
        data = stream.read(remaining)
        if not data:
            break
        parts.append(data)
        remaining -= len(data)
    return b"".join(parts)


def detect_format(name: str, head: bytes) -> FileFormat:
    """Decide format and compression from the name, checked against magic bytes."""
    lower = name.lower()
    compressed = head.startswith(GZIP_MAGIC)
    if lower.endswith(".gz") or lower.endswith(".gzip"):
        if not compressed:
            raise FileRejected(Reason.DECOMPRESSION_ERROR, "name says gzip but content is not gzip")
        lower = lower.rsplit(".", 1)[0]
    for suffix, fmt in _FORMAT_SUFFIXES.items():
        if lower.endswith(suffix):
            if fmt == "parquet" and compressed:
                raise FileRejected(Reason.UNSUPPORTED_FORMAT, "gzip-wrapped parquet is not supported")
            return FileFormat(fmt, "gzip" if compressed else None)
    basename = lower.rsplit("/", 1)[-1]
    if "." in basename.lstrip("."):
        ext = basename.rsplit(".", 1)[-1]
        raise FileRejected(
            Reason.UNSUPPORTED_FORMAT,
            f"unsupported extension .{ext}; expected csv, jsonl or parquet, optionally .gz",
        )
    # no extension: sniff
    if head.startswith(PARQUET_MAGIC):
        return FileFormat("parquet", None)
    if compressed:
        return FileFormat("csv", "gzip")
    return FileFormat("jsonl" if head.lstrip()[:1] == b"{" else "csv", None)


DECOMPRESSION_ERRORS: tuple[type[BaseException], ...] = (EOFError, zlib.error, gzip.BadGzipFile)


class RecordSource:
    """An opened file: its header, then its records in chunks."""

    header: list[str]
    format: FileFormat
    # False when nothing at the start of the file names fields (JSONL of no objects):
    # there is then no header to check for drift, only records to reject
    has_header: bool = True
    _blank = 0

    @property
    def blank_lines(self) -> int:
        """Lines with nothing on them seen so far: not records, only counted."""
        return self._blank

    def chunks(self, columns: tuple[str, ...]) -> Iterator[Chunk]:
        raise NotImplementedError

    def close(self) -> None:
        """Stop reading; safe to call more than once and after the last chunk."""
        return None


CHUNK_ROWS = 16_384  # rows per chunk handed to validation, whatever the block held


class CsvSource(RecordSource):
    """CSV through pyarrow's streaming reader, with physical line numbers.

    pyarrow numbers rows, not lines; a quoted value holding line breaks
    makes the two differ, so the line breaks inside values are counted and
    added. Empty lines are not records: ``BlankLines`` drops and counts them
    (a row of only delimiters is a record, an EMPTY_ROW reject). The block
    size is the longest row accepted (``Limits.max_line_bytes``).
    """

    def __init__(self, stream: Stream, fmt: FileFormat, limits: Limits | None = None) -> None:
        self.format = fmt
        self._limits = limits or Limits()
        head = _read_exactly(stream, HEADER_PEEK_BYTES)
        if not head.strip():
            raise FileRejected(Reason.EMPTY_FILE, "file has no header and no records")
        newline = head.find(b"\n")
        if newline < 0 and len(head) == HEADER_PEEK_BYTES:
            raise FileRejected(Reason.LINE_TOO_LONG, f"no line break in the first {HEADER_PEEK_BYTES:,} bytes")
        line = head if newline < 0 else head[:newline]
        try:
            text = line.decode("utf-8-sig").rstrip("\r")
        except UnicodeDecodeError as exc:
            raise FileRejected(Reason.ENCODING_ERROR, f"header is not UTF-8: {exc.reason}") from None
        if "\x00" in text:  # UTF-16/32 text read as bytes
            raise FileRejected(Reason.ENCODING_ERROR, "header holds NUL bytes: not UTF-8 text")
        try:
            self.header = [h.strip() for h in next(csv.reader([text]))]
        except csv.Error as exc:
            raise FileRejected(Reason.PARSE_ERROR, f"header is not a CSV line: {exc}") from None
        self._repair = Utf8Repair(PrefixedReader(head, stream))
        self._blanks = BlankLines(self._repair)
        self._shift = 0  # empty lines dropped before the current row
        self._reader: Any = None
        # malformed rows as pyarrow reports them (its row number, text), not yet placed
        self._invalid: deque[tuple[int, str]] = deque()
        self._row = 2  # pyarrow's number for the next row: the header is row 1
        self._breaks = 0  # line breaks inside quoted values so far: line = row number + breaks

    def _on_invalid(self, row: Any) -> str:
        self._invalid.append((row.number, row.text))
        return "skip"

    def close(self) -> None:
        # pyarrow reads ahead on a thread of its own; it must be stopped and
        # joined before the interpreter exits, or it aborts the process
        self._repair.stop()
        if self._reader is not None:
            self._reader.close()
            self._reader = None

    @property
    def blank_lines(self) -> int:
        return self._blanks.dropped

    def _physical(self, line: int) -> int:
        """Line in the file of ``line`` in the text pyarrow saw (empty lines dropped); ascending calls only."""
        gaps = self._blanks.gaps
        while gaps and gaps[0][0] < line:
            self._shift += gaps.popleft()[1]
        return line + self._shift

    def _place_invalid(self, upto: int | None) -> list[tuple[int, str]]:
        """Give pending malformed rows numbered before ``upto`` (None: all) their lines."""
        placed = []
        while self._invalid and (upto is None or self._invalid[0][0] <= upto):
            number, text = self._invalid.popleft()
            placed.append((self._physical(number + self._breaks), text))
            self._breaks += _line_breaks(text)
            self._row = number + 1
        return placed

    def _place_rows(self, breaks: list[int] | None, n: int) -> tuple[list[int] | range, list[tuple[int, str]]]:
        """Physical lines of ``n`` well-shaped rows, and of malformed rows among them."""
        if breaks is None and not (self._invalid and self._invalid[0][0] < self._row + n):
            start = self._physical(self._row + self._breaks)
            last = self._row + self._breaks + n - 1
            if not self._blanks.gaps or self._blanks.gaps[0][0] >= last:
                self._row += n
                return range(start, start + n), []
        lines: list[int] = []
        malformed: list[tuple[int, str]] = []
        for i in range(n):
            # a malformed row at this number comes first; then the row takes the next one
            while self._invalid and self._invalid[0][0] <= self._row:
                malformed.extend(self._place_invalid(self._row))
            lines.append(self._physical(self._row + self._breaks))
            self._breaks += breaks[i] if breaks is not None else 0
            self._row += 1
        # malformed rows right after the last good one belong here too
        while self._invalid and self._invalid[0][0] == self._row:
            malformed.extend(self._place_invalid(self._row))
        return lines, malformed

    def chunks(self, columns: tuple[str, ...]) -> Iterator[Chunk]:
        names = self.header
        try:
            try:
                self._reader = pacsv.open_csv(
                    io.BufferedReader(self._blanks, buffer_size=CSV_BLOCK_BYTES),
                    read_options=pacsv.ReadOptions(
                        use_threads=False,
                        block_size=self._limits.max_line_bytes,
                        column_names=names,
                        skip_rows=1,
                    ),
                    parse_options=pacsv.ParseOptions(
                        invalid_row_handler=self._on_invalid, ignore_empty_lines=True, newlines_in_values=True
                    ),
                    convert_options=pacsv.ConvertOptions(
                        column_types={n: pa.string() for n in names}, strings_can_be_null=False
                    ),
                )
            except pa.ArrowInvalid as exc:
                if "skip initial" in str(exc):  # a header line with no line break after it
                    raise FileRejected(Reason.EMPTY_FILE, "header only, no records") from None
                raise _csv_failure(exc, self._limits) from None
            rank = 0
            # pyarrow's batches are one block (max_line_bytes) each: held until CHUNK_ROWS rows so
            # that validation runs its kernels over big chunks; a batch with malformed rows first
            # lets the held rows go, so chunks still come in file order
            held: list[tuple[dict[str, pa.Array], Sequence[int]]] = []
            held_rows = 0
            while True:
                try:
                    batch = self._reader.read_next_batch()
                except StopIteration:
                    break
                except pa.ArrowInvalid as exc:
                    # rows already seen were read: report them before giving up on the rest
                    rank = yield from self._good_chunks(held, rank, columns)
                    yield from self._malformed_chunks(self._place_invalid(None), columns)
                    raise _csv_failure(exc, self._limits) from None
                n = batch.num_rows
                if not n:
                    continue
                cols = {name: batch.column(i) for i, name in enumerate(names)}
                lines, malformed = self._place_rows(_value_breaks(cols), n)
                # a chunk never grows past CHUNK_ROWS by holding: what validation holds in
                # memory (one chunk per worker and its intermediates) stays bounded
                if malformed or held_rows + n > CHUNK_ROWS:
                    rank = yield from self._good_chunks(held, rank, columns)
                    held_rows = 0
                if malformed:
                    yield from self._malformed_chunks(malformed, columns)
                held.append((cols, lines))
                held_rows += n
            yield from self._good_chunks(held, rank, columns)
            yield from self._malformed_chunks(self._place_invalid(None), columns)
        finally:
            self.close()

    def _good_chunks(
        self, held: list[tuple[dict[str, pa.Array], Sequence[int]]], rank: int, columns: tuple[str, ...]
    ) -> Generator[Chunk, None, int]:
        """The held batches' rows as chunks of up to CHUNK_ROWS (``held`` is emptied); the next rank."""
        if not held:
            return rank
        names = list(held[0][0])
        cols = {c: held[0][0][c] if len(held) == 1 else pa.concat_arrays([h[0][c] for h in held]) for c in names}
        lines = _joined_lines([h[1] for h in held])
        held.clear()
        n = len(lines)
        for start in range(0, n, CHUNK_ROWS):
            part = {c: a.slice(start, CHUNK_ROWS) for c, a in cols.items()}
            size = len(next(iter(part.values())))
            # rows of this part were all read already: no repair so far, nothing to find
            errors = _repaired_rows(part, size) if self._repair.replacements else []
            yield Chunk(
                columns={c: part.get(c, pa.nulls(size, pa.string())) for c in columns},
                num_rows=size,
                first_rank=rank,
                row_errors=errors,
                explicit_lines=lines[start : start + size],
            )
            rank += size
        return rank

    def _malformed_chunks(self, rows: list[tuple[int, str]], columns: tuple[str, ...]) -> Iterator[Chunk]:
        for start in range(0, len(rows), CHUNK_ROWS):
            part = rows[start : start + CHUNK_ROWS]
            n = len(part)
            yield Chunk(
                columns={c: pa.nulls(n, pa.string()) for c in columns},
                num_rows=n,
                first_rank=-1,
                row_errors=[(Reason.MALFORMED_ROW, pa.array([True] * n))],
                raw=[text for _line, text in part],
                explicit_lines=[line for line, _text in part],
            )


def _csv_failure(exc: pa.ArrowInvalid, limits: Limits) -> FileRejected:
    if "straddling" in str(exc):  # a row longer than the block: pyarrow cannot split it
        return FileRejected(Reason.LINE_TOO_LONG, f"a row is longer than {limits.max_line_bytes:,} bytes")
    return FileRejected(Reason.PARSE_ERROR, str(exc))


def _joined_lines(parts: list[Sequence[int]]) -> Sequence[int]:
    """Consecutive batches' line numbers as one sequence: a range while they stay contiguous."""
    if len(parts) == 1:
        return parts[0]
    ranges = [p for p in parts if isinstance(p, range)]
    if len(ranges) == len(parts) and all(a.stop == b.start for a, b in itertools.pairwise(ranges)):
        return range(ranges[0].start, ranges[-1].stop)
    return [line for p in parts for line in p]


def _line_breaks(text: str) -> int:
    """Physical line breaks in ``text``: \\n, \\r\\n or a lone \\r each count once."""
    return text.count("\n") + text.count("\r") - text.count("\r\n")


def _may_hold_breaks(arr: pa.Array) -> bool:
    """False only if no value of ``arr`` can hold a line break: its data buffer has none.

    One byte search over the buffer instead of two kernels per value; the buffer may hold
    bytes outside a sliced array, which can only make the answer True (then counted exactly).
    """
    buffers = arr.buffers()
    data = buffers[2] if len(buffers) > 2 else None
    if data is None or not isinstance(arr, pa.StringArray):
        return True
    raw = data.to_pybytes()
    return b"\n" in raw or b"\r" in raw


def _value_breaks(columns: dict[str, pa.Array]) -> list[int] | None:
    """Line breaks inside each row's quoted values, or None when there are none."""
    total: pa.Array | None = None
    for arr in columns.values():
        if not _may_hold_breaks(arr):
            continue
        has = pc.fill_null(pc.or_(pc.match_substring(arr, "\n"), pc.match_substring(arr, "\r")), False)
        if not pc.any(has).as_py():
            continue
        counts = pc.subtract(
            pc.add(pc.count_substring(arr, "\n"), pc.count_substring(arr, "\r")), pc.count_substring(arr, "\r\n")
        )
        counts = pc.fill_null(counts, 0)
        total = counts if total is None else pc.add(total, counts)
    return None if total is None else total.to_pylist()


def _repaired_rows(columns: dict[str, pa.Array], n: int) -> list[tuple[Reason, pa.Array]]:
    """Rows where Utf8Repair had to substitute U+FFFD for undecodable bytes."""
    bad: pa.Array | None = None
    for arr in columns.values():
        hit = pc.fill_null(pc.match_substring(arr, REPLACEMENT), False)
        bad = hit if bad is None else pc.or_(bad, hit)
    if bad is None or not pc.any(bad).as_py():
        return []
    return [(Reason.INVALID_ENCODING, bad)]


def _decode_binary_columns(
    columns: dict[str, pa.Array], n: int
) -> tuple[dict[str, pa.Array], list[tuple[Reason, pa.Array]]]:
    """Binary -> UTF-8 strings; rows holding undecodable bytes become errors."""
    out: dict[str, pa.Array] = {}
    bad_rows: pa.Array | None = None
    for name, arr in columns.items():
        arr = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
        as_text = arr.view(pa.large_string() if pa.types.is_large_binary(arr.type) else pa.string())
        try:
            as_text.validate(full=True)  # the UTF-8 check; a cast alone may let bad bytes through
            out[name] = pc.cast(as_text, pa.string())
        except pa.ArrowInvalid:
            decoded: list[str | None] = []
            bad: list[bool] = []
            for value in arr.to_pylist():
                try:
                    decoded.append(None if value is None else value.decode("utf-8"))
                    bad.append(False)
                except UnicodeDecodeError:
                    decoded.append(None)
                    bad.append(True)
            out[name] = pa.array(decoded, pa.string())
            mask = pa.array(bad)
            bad_rows = mask if bad_rows is None else pc.or_(bad_rows, mask)
    errors = [] if bad_rows is None else [(Reason.INVALID_ENCODING, bad_rows)]
    return out, errors


# ASCII whitespace as bytes.strip() sees it: a line of only these is blank
_NON_BLANK = re.compile(rb"[^ \t\n\r\x0b\x0c]")
# a lone surrogate can only come from a \\uD800-\\uDFFF escape; only then is the text checked
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


class JsonlSource(RecordSource):
    """JSON Lines read in blocks: blank runs are counted, not iterated; lines are capped."""

    def __init__(self, stream: Stream, fmt: FileFormat, limits: Limits | None = None) -> None:
        self.format = fmt
        self._limits = limits or Limits()
        self._stream = stream
        self._pending: list[tuple[int, bytes]] = []
        self._lines_iter = self._iter_lines()
        self.header = []
        # the first object naming fields stands in for a header; what comes before it is
        # kept and read as records (a leading {} or garbage line is a reject, not the end)
        held = 0
        for line, raw in self._lines_iter:
            self._pending.append((line, raw))
            held += len(raw)
            obj = _parse_json_line(raw)
            if isinstance(obj, dict) and obj:
                self.header = list(obj)
                break
            if len(self._pending) >= JSONL_HEADER_PEEK or held >= JSONL_BATCH_BYTES:
                break
        if not self._pending:
            raise FileRejected(Reason.EMPTY_FILE, "file has no records")
        self.has_header = bool(self.header)

    def _iter_lines(self) -> Iterator[tuple[int, bytes]]:
        """(physical line, text) of every non-blank line; blank ones only counted."""
        limit = self._limits.max_line_bytes
        line = 0  # lines before ``data``
        data = b""
        first = True
        while True:
            block = self._stream.read(CSV_BLOCK_BYTES)
            if first:
                # a UTF-8 BOM is not part of the first record (a CSV BOM is skipped too)
                block = block.removeprefix(UTF8_BOM) if len(block) >= 3 else block
                first = False
            if not block:
                if _NON_BLANK.search(data):
                    yield line + 1, data
                elif data:
                    self._blank += 1
                return
            data = data + block if data else block
            end = data.rfind(b"\n")
            if end < 0:
                if len(data) > limit:
                    raise FileRejected(Reason.LINE_TOO_LONG, f"line {line + 1:,} is longer than {limit:,} bytes")
                continue
            pos = 0
            while True:
                m = _NON_BLANK.search(data, pos, end + 1)
                if m is None:
                    skipped = data.count(b"\n", pos, end + 1)
                    self._blank += skipped
                    line += skipped
                    break
                start = data.rfind(b"\n", pos, m.start()) + 1 or pos
                skipped = data.count(b"\n", pos, start)
                self._blank += skipped
                line += skipped
                stop = data.find(b"\n", m.start())
                if stop - start > limit:
                    raise FileRejected(Reason.LINE_TOO_LONG, f"line {line + 1:,} is longer than {limit:,} bytes")
                line += 1
                yield line, data[start:stop]
                pos = stop + 1
            data = data[end + 1 :]
            if len(data) > limit:
                raise FileRejected(Reason.LINE_TOO_LONG, f"line {line + 1:,} is longer than {limit:,} bytes")

    def _lines(self) -> Iterator[tuple[int, bytes]]:
        pending, self._pending = self._pending, []
        yield from pending
        yield from self._lines_iter

    def chunks(self, columns: tuple[str, ...]) -> Iterator[Chunk]:
        allowed = set(columns)
        values: dict[str, list[str | None]] = {c: [] for c in columns}
        lines: list[int] = []
        raw_text: list[str] = []
        errs: dict[Reason, list[int]] = {}
        held = 0
        rank = 0
        for line, raw in self._lines():
            idx = len(lines)
            lines.append(line)
            held += len(raw)
            error, record = _json_record(raw, allowed)
            if error is not None:
                errs.setdefault(error, []).append(idx)
                raw_text.append(raw.decode("utf-8", "replace").rstrip("\r"))
            else:
                raw_text.append("")
            for c in columns:
                values[c].append(record.get(c) if record else None)
            if len(lines) >= JSONL_BATCH_ROWS or held >= JSONL_BATCH_BYTES:
                yield self._chunk(values, lines, errs, raw_text, rank)
                rank += len(lines)
                values = {c: [] for c in columns}
                lines, raw_text, errs, held = [], [], {}, 0
        if lines:
            yield self._chunk(values, lines, errs, raw_text, rank)

    @staticmethod
    def _chunk(
        values: dict[str, list[str | None]],
        lines: list[int],
        errs: dict[Reason, list[int]],
        raw_text: list[str],
        rank: int,
    ) -> Chunk:
        n = len(lines)
        row_errors = []
        for reason, idxs in errs.items():
            mask = [False] * n
            for i in idxs:
                mask[i] = True
            row_errors.append((reason, pa.array(mask)))
        return Chunk(
            columns={c: pa.array(v, pa.string()) for c, v in values.items()},
            num_rows=n,
            first_rank=rank,
            row_errors=row_errors,
            raw=raw_text if errs else None,
            explicit_lines=lines,
        )


def _loads(raw: bytes | str) -> Any:
    # numbers stay as their exact text: 1234.50 must not become 1234.5
    return json.loads(raw, parse_float=str, parse_int=str)


def _parse_json_line(raw: bytes) -> Any:
    try:
        obj = _loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    if isinstance(obj, dict) and _SURROGATE_ESCAPE.search(raw) and not _encodable(obj):
        return None
    return obj


def _encodable(obj: dict[str, Any]) -> bool:
    """False when a key or string value holds a lone surrogate (not encodable as UTF-8)."""
    for key, value in obj.items():
        for text in (key, value):
            if isinstance(text, str):
                try:
                    text.encode("utf-8")
                except UnicodeEncodeError:
                    return False
    return True


def _json_record(raw: bytes, allowed: set[str]) -> tuple[Reason | None, dict[str, str | None] | None]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return Reason.INVALID_ENCODING, None
    try:
        obj = _loads(text)
    except ValueError:
        return Reason.INVALID_JSON, None
    except RecursionError:  # nesting deeper than the interpreter's stack: not a flat record anyway
        return Reason.INVALID_JSON, None
    if not isinstance(obj, dict):
        return Reason.INVALID_JSON, None
    if _SURROGATE_ESCAPE.search(raw) and not _encodable(obj):
        return Reason.INVALID_ENCODING, None
    record: dict[str, str | None] = {}
    for key, value in obj.items():
        if key not in allowed:
            return Reason.UNEXPECTED_FIELD, None
        if value is None or isinstance(value, str):
            record[key] = value
        else:
            return Reason.INVALID_TYPE, None
    return None, record


# what pyarrow raises for a file it cannot read or a value it cannot convert;
# a column name that is not UTF-8 surfaces as UnicodeDecodeError from pyarrow's Python layer
PARQUET_ERRORS: tuple[type[BaseException], ...] = (pa.ArrowException, OSError)


class ParquetSource(RecordSource):
    def __init__(self, stream: Stream, fmt: FileFormat, limits: Limits | None = None) -> None:
        self.format = fmt
        limits = limits or Limits()
        try:
            self._file = pq.ParquetFile(stream)
            schema = self._file.schema_arrow
            self.header = list(schema.names)
        except UnicodeDecodeError as exc:
            raise FileRejected(Reason.ENCODING_ERROR, f"parquet metadata is not UTF-8: {exc.reason}") from None
        except PARQUET_ERRORS as exc:
            raise FileRejected(Reason.PARSE_ERROR, f"not a readable parquet file: {exc}") from None
        for f in schema:
            if pa.types.is_nested(f.type):
                raise FileRejected(Reason.SCHEMA_DRIFT, f"column {f.name} has nested type {f.type}; expected scalars")
        meta = self._file.metadata
        if meta.num_rows == 0:
            raise FileRejected(Reason.EMPTY_FILE, "parquet file has no rows")
        if meta.num_rows > limits.max_rows:
            raise FileRejected(Reason.ROW_LIMIT, f"{meta.num_rows:,} rows, more than {limits.max_rows:,} (max_rows)")
        inflated = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
        if inflated > limits.max_decoded_bytes:
            raise FileRejected(
                Reason.DECOMPRESSION_LIMIT,
                f"row groups hold {inflated:,} bytes uncompressed, more than {limits.max_decoded_bytes:,}",
            )

    def chunks(self, columns: tuple[str, ...]) -> Iterator[Chunk]:
        present = [c for c in columns if c in self.header]
        rank = 0
        try:
            for batch in self._file.iter_batches(batch_size=PARQUET_BATCH_ROWS, columns=present):
                n = batch.num_rows
                cols: dict[str, pa.Array] = {}
                errors: list[tuple[Reason, pa.Array]] = []
                for name in columns:
                    if name not in present:
                        cols[name] = pa.nulls(n, pa.string())
                        continue
                    arr = batch.column(name)
                    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
                        # parquet does not enforce UTF-8 in string columns: check as bytes
                        arr = arr.view(pa.large_binary() if pa.types.is_large_string(arr.type) else pa.binary())
                    if pa.types.is_binary(arr.type) or pa.types.is_large_binary(arr.type):
                        decoded, errs = _decode_binary_columns({name: arr}, n)
                        cols[name] = decoded[name]
                        errors.extend(errs)
                    else:
                        cols[name] = pc.cast(arr, pa.string())
                yield Chunk(
                    columns=cols,
                    num_rows=n,
                    first_rank=rank,
                    row_errors=errors,
                    line_of_rank=lambda r: r + 1,
                )
                rank += n
        except UnicodeDecodeError as exc:
            raise FileRejected(Reason.ENCODING_ERROR, f"parquet read failed: {exc.reason}") from None
        except PARQUET_ERRORS as exc:
            raise FileRejected(Reason.PARSE_ERROR, f"parquet read failed: {exc}") from None


def open_source(stream: Stream, name: str, limits: Limits | None = None) -> tuple[RecordSource, CountingReader]:
    """Open ``stream`` (positioned at 0) as a record source chosen by ``name``.

    Parquet needs random access, so ``stream`` must then be seekable.
    Returns the source and the byte counter on the raw (compressed) input.
    """
    limits = limits or Limits()
    counter = CountingReader(stream)
    head = _read_exactly(counter, 4)
    fmt = detect_format(name, head)
    if fmt.name == "parquet":
        if not stream.seekable():
            raise FileRejected(Reason.UNSUPPORTED_FORMAT, "parquet needs a seekable source")
        stream.seek(0)
        return ParquetSource(stream, fmt, limits), counter
    body: Stream = PrefixedReader(head, counter)
    if fmt.compression == "gzip":
        body = gzip.GzipFile(fileobj=io.BufferedReader(body, buffer_size=CSV_BLOCK_BYTES), mode="rb")
        counter.decoded = CountingReader(body, limits, stored=counter)
        body = counter.decoded
    try:
        if fmt.name == "csv":
            return CsvSource(body, fmt, limits), counter
        return JsonlSource(body, fmt, limits), counter
    except DECOMPRESSION_ERRORS as exc:
        raise FileRejected(Reason.DECOMPRESSION_ERROR, f"gzip stream is broken: {exc}") from None


def iter_chunks(source: RecordSource, columns: tuple[str, ...]) -> Generator[Chunk, None, None]:
    """``source.chunks`` with low-level stream errors mapped to reason codes."""
    try:
        yield from source.chunks(columns)
    except DECOMPRESSION_ERRORS as exc:
        raise FileRejected(Reason.DECOMPRESSION_ERROR, f"gzip stream is broken: {exc}") from None
    finally:
        source.close()


__all__ = [
    "Chunk",
    "CountingReader",
    "FileFormat",
    "FileRejected",
    "Limits",
    "RecordSource",
    "detect_format",
    "iter_chunks",
    "open_source",
]
