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

import bisect
import codecs
import csv
import gzip
import io
import json
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from taxlake.checks import Reason

GZIP_MAGIC = b"\x1f\x8b"
PARQUET_MAGIC = b"PAR1"
HEADER_PEEK_BYTES = 1 << 16
CSV_BLOCK_BYTES = 1 << 20
JSONL_BATCH_ROWS = 16_384
PARQUET_BATCH_ROWS = 16_384

_FORMAT_SUFFIXES = {
    ".csv": "csv",
    ".txt": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}


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
    """Counts bytes pulled from an underlying binary stream."""

    def __init__(self, raw: Stream) -> None:
        self._raw = raw
        self.bytes_read = 0
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
        return n


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

    def chunks(self, columns: tuple[str, ...]) -> Iterator[Chunk]:
        raise NotImplementedError

    def close(self) -> None:  # pragma: no cover - overridden where needed
        return None


class CsvSource(RecordSource):
    def __init__(self, stream: Stream, fmt: FileFormat) -> None:
        self.format = fmt
        head = _read_exactly(stream, HEADER_PEEK_BYTES)
        if not head.strip():
            raise FileRejected(Reason.EMPTY_FILE, "file has no header and no records")
        newline = head.find(b"\n")
        if newline < 0 and len(head) == HEADER_PEEK_BYTES:
            raise FileRejected(Reason.PARSE_ERROR, f"no line break in the first {HEADER_PEEK_BYTES} bytes")
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
        self._invalid: list[int] = []
        self._invalid_text: dict[int, str] = {}

    def _on_invalid(self, row: Any) -> str:
        self._invalid.append(row.number)
        self._invalid_text[row.number] = row.text
        return "skip"

    def _line_of_rank(self, rank: int) -> int:
        # data starts on line 2; skipped (malformed) lines push rows down
        line = rank + 2
        while True:
            moved = rank + 2 + bisect.bisect_right(self._invalid, line)
            if moved == line:
                return line
            line = moved

    def chunks(self, columns: tuple[str, ...]) -> Iterator[Chunk]:
        names = self.header
        try:
            reader = pacsv.open_csv(
                io.BufferedReader(self._repair, buffer_size=CSV_BLOCK_BYTES),
                read_options=pacsv.ReadOptions(
                    use_threads=False, block_size=CSV_BLOCK_BYTES, column_names=names, skip_rows=1
                ),
                parse_options=pacsv.ParseOptions(invalid_row_handler=self._on_invalid, ignore_empty_lines=False),
                convert_options=pacsv.ConvertOptions(
                    column_types={n: pa.string() for n in names}, strings_can_be_null=False
                ),
            )
        except pa.ArrowInvalid as exc:
            if "skip initial" in str(exc):  # a header line with no line break after it
                raise FileRejected(Reason.EMPTY_FILE, "header only, no records") from None
            raise FileRejected(Reason.PARSE_ERROR, str(exc)) from None
        rank = 0
        reported = 0
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                break
            except pa.ArrowInvalid as exc:
                raise FileRejected(Reason.PARSE_ERROR, str(exc)) from None
            n = batch.num_rows
            if n:
                cols = {name: batch.column(i) for i, name in enumerate(names)}
                # rows of this batch were all read already: no repair so far, nothing to find
                errors = _repaired_rows(cols, n) if self._repair.replacements else []
                yield Chunk(
                    columns={c: cols.get(c, pa.nulls(n, pa.string())) for c in columns},
                    num_rows=n,
                    first_rank=rank,
                    row_errors=errors,
                    line_of_rank=self._line_of_rank,
                    # no malformed line so far: row k of the file is line k + 2
                    explicit_lines=None if self._invalid else range(rank + 2, rank + 2 + n),
                )
                rank += n
            if len(self._invalid) > reported:
                yield self._malformed_chunk(self._invalid[reported:], columns)
                reported = len(self._invalid)

    def _malformed_chunk(self, lines: list[int], columns: tuple[str, ...]) -> Chunk:
        n = len(lines)
        return Chunk(
            columns={c: pa.nulls(n, pa.string()) for c in columns},
            num_rows=n,
            first_rank=-1,
            row_errors=[(Reason.MALFORMED_ROW, pa.array([True] * n))],
            raw=[self._invalid_text.pop(line, "") for line in lines],
            explicit_lines=list(lines),
        )


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
        try:
            out[name] = pc.cast(arr, pa.string())
        except pa.ArrowInvalid:
            decoded: list[str | None] = []
            bad: list[bool] = []
            for value in arr.to_pylist():
                try:
                    decoded.append(value.decode("utf-8"))
                    bad.append(False)
                except UnicodeDecodeError:
                    decoded.append(None)
                    bad.append(True)
            out[name] = pa.array(decoded, pa.string())
            mask = pa.array(bad)
            bad_rows = mask if bad_rows is None else pc.or_(bad_rows, mask)
    errors = [] if bad_rows is None else [(Reason.INVALID_ENCODING, bad_rows)]
    return out, errors


class JsonlSource(RecordSource):
    def __init__(self, stream: Stream, fmt: FileFormat) -> None:
        self.format = fmt
        self._stream = io.BufferedReader(stream, buffer_size=CSV_BLOCK_BYTES)
        self._pending: list[tuple[int, bytes]] = []
        self._line = 0
        self.header = []
        # the first parsable object's keys stand in for a header
        for raw in self._stream:
            self._line += 1
            self._pending.append((self._line, raw))
            obj = _parse_json_line(raw)
            if isinstance(obj, dict):
                self.header = list(obj)
                break
            if len(self._pending) > 1000:
                break
        if not any(raw.strip() for _, raw in self._pending):
            raise FileRejected(Reason.EMPTY_FILE, "file has no records")
        if not self.header:
            raise FileRejected(Reason.PARSE_ERROR, "no JSON object found at the start of the file")

    def _lines(self) -> Iterator[tuple[int, bytes]]:
        yield from self._pending
        for raw in self._stream:
            self._line += 1
            yield self._line, raw

    def chunks(self, columns: tuple[str, ...]) -> Iterator[Chunk]:
        allowed = set(columns)
        values: dict[str, list[str | None]] = {c: [] for c in columns}
        lines: list[int] = []
        raw_text: list[str] = []
        errs: dict[Reason, list[int]] = {}
        rank = 0
        for line, raw in self._lines():
            if not raw.strip():
                continue  # blank lines separate nothing in JSON Lines
            idx = len(lines)
            lines.append(line)
            error, record = _json_record(raw, allowed)
            if error is not None:
                errs.setdefault(error, []).append(idx)
                raw_text.append(raw.decode("utf-8", "replace").rstrip("\r\n"))
            else:
                raw_text.append("")
            for c in columns:
                values[c].append(record.get(c) if record else None)
            if len(lines) >= JSONL_BATCH_ROWS:
                yield self._chunk(values, lines, errs, raw_text, rank)
                rank += len(lines)
                values = {c: [] for c in columns}
                lines, raw_text, errs = [], [], {}
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


def _parse_json_line(raw: bytes) -> Any:
    try:
        return json.loads(raw, parse_float=str, parse_int=str)
    except (ValueError, UnicodeDecodeError):
        return None


def _json_record(raw: bytes, allowed: set[str]) -> tuple[Reason | None, dict[str, str | None] | None]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return Reason.INVALID_ENCODING, None
    try:
        # numbers stay as their exact text: 1234.50 must not become 1234.5
        obj = json.loads(text, parse_float=str, parse_int=str)
    except ValueError:
        return Reason.INVALID_JSON, None
    if not isinstance(obj, dict):
        return Reason.INVALID_JSON, None
    record: dict[str, str | None] = {}
    for key, value in obj.items():
        if key not in allowed:
            return Reason.UNEXPECTED_FIELD, None
        if value is None or isinstance(value, str):
            record[key] = value
        else:
            return Reason.INVALID_TYPE, None
    return None, record


class ParquetSource(RecordSource):
    def __init__(self, stream: Stream, fmt: FileFormat) -> None:
        self.format = fmt
        try:
            self._file = pq.ParquetFile(stream)
        except (pa.ArrowInvalid, OSError) as exc:
            raise FileRejected(Reason.PARSE_ERROR, f"not a readable parquet file: {exc}") from None
        schema = self._file.schema_arrow
        self.header = list(schema.names)
        for f in schema:
            if pa.types.is_nested(f.type):
                raise FileRejected(Reason.SCHEMA_DRIFT, f"column {f.name} has nested type {f.type}; expected scalars")
        if self._file.metadata.num_rows == 0:
            raise FileRejected(Reason.EMPTY_FILE, "parquet file has no rows")

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
        except (pa.ArrowInvalid, OSError) as exc:
            raise FileRejected(Reason.PARSE_ERROR, f"parquet read failed: {exc}") from None


def open_source(stream: Stream, name: str) -> tuple[RecordSource, CountingReader]:
    """Open ``stream`` (positioned at 0) as a record source chosen by ``name``.

    Parquet needs random access, so ``stream`` must then be seekable.
    Returns the source and the byte counter on the raw (compressed) input.
    """
    counter = CountingReader(stream)
    head = _read_exactly(counter, 4)
    fmt = detect_format(name, head)
    if fmt.name == "parquet":
        if not stream.seekable():
            raise FileRejected(Reason.UNSUPPORTED_FORMAT, "parquet needs a seekable source")
        stream.seek(0)
        return ParquetSource(stream, fmt), counter
    body: Stream = PrefixedReader(head, counter)
    if fmt.compression == "gzip":
        body = gzip.GzipFile(fileobj=io.BufferedReader(body, buffer_size=CSV_BLOCK_BYTES), mode="rb")
        counter.decoded = CountingReader(body)
        body = counter.decoded
    try:
        if fmt.name == "csv":
            return CsvSource(body, fmt), counter
        return JsonlSource(body, fmt), counter
    except DECOMPRESSION_ERRORS as exc:
        raise FileRejected(Reason.DECOMPRESSION_ERROR, f"gzip stream is broken: {exc}") from None


def iter_chunks(source: RecordSource, columns: tuple[str, ...]) -> Iterator[Chunk]:
    """``source.chunks`` with low-level stream errors mapped to reason codes."""
    try:
        yield from source.chunks(columns)
    except DECOMPRESSION_ERRORS as exc:
        raise FileRejected(Reason.DECOMPRESSION_ERROR, f"gzip stream is broken: {exc}") from None
    except UnicodeDecodeError as exc:  # pragma: no cover - decoders above catch per row
        raise FileRejected(Reason.ENCODING_ERROR, str(exc)) from None


__all__ = [
    "Chunk",
    "CountingReader",
    "FileFormat",
    "FileRejected",
    "RecordSource",
    "detect_format",
    "iter_chunks",
    "open_source",
]
