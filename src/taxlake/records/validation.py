"""Validate a lodgement file as a stream and report on it.

One function, ``validate_stream``, serves the Lambda, the CLI and the tests:
it reads a file chunk by chunk, checks every record of every chunk with
vectorised rules, and returns a ``ValidationReport`` whose counts always
satisfy records_read == records_valid + records_rejected, whatever the
file holds. Rejected rows can be streamed to a sink as they are found.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import time
from collections import Counter
from collections.abc import Callable, Generator, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from taxlake import __version__
from taxlake.records.checks import CHECKS, Reason, dates_out_of_range, parse_iso_dates, tax_year_bad
from taxlake.records.pool import map_in_order
from taxlake.records.readers import Chunk, CountingReader, FileRejected, Limits, RecordSource, iter_chunks, open_source
from taxlake.records.schemas import Rule, Schema, get_schema, kind_from_header, kind_from_path

REPORT_VERSION = 1
ACCEPTED = "accepted"
QUARANTINED = "quarantined"

RejectSink = Callable[[list[dict[str, Any]]], None]


@dataclass(frozen=True)
class ValidationConfig:
    """Knobs for one validation run."""

    reject_threshold: float = 0.01  # quarantine when reject rate is above this
    sample_limit: int = 5  # rejected rows quoted in the report
    as_of: dt.date = field(default_factory=dt.date.today)  # "today" for range checks
    threads: int = field(default_factory=lambda: os.cpu_count() or 1)  # chunk checkers
    limits: Limits = field(default_factory=Limits)  # size, ratio, line and row caps

    def __post_init__(self) -> None:
        if not 0.0 <= self.reject_threshold <= 1.0:
            raise ValueError(f"reject_threshold must be within [0, 1], got {self.reject_threshold}")


@dataclass
class ValidationReport:
    """The verdict on one file; the same shape from the CLI and the Lambda."""

    file: str
    kind: str | None
    status: str
    records_read: int
    records_valid: int
    records_rejected: int
    reasons: dict[str, int]
    rejected_samples: list[dict[str, Any]]
    quarantine_reason: str | None = None
    detail: str | None = None
    format: str | None = None
    compression: str | None = None
    columns: list[str] = field(default_factory=list)
    schema_drift: dict[str, list[str]] = field(default_factory=lambda: {"missing": [], "unexpected": []})
    reject_rate: float = 0.0
    reject_threshold: float = 0.01
    bytes_read: int = 0
    bytes_decoded: int = 0
    blank_lines: int = 0  # lines with nothing on them: skipped, not records
    duration_ms: int = 0
    report_version: int = REPORT_VERSION
    validator_version: str = __version__

    @property
    def accepted(self) -> bool:
        return self.status == ACCEPTED

    @property
    def structured(self) -> bool:
        """Typed columnar input (parquet) routes differently from text."""
        return self.format == "parquet"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _Tally:
    read: int = 0
    rejected: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    samples: list[dict[str, Any]] = field(default_factory=list)


def mask_value(value: str | None) -> str | None:
    """Keep only the last 3 characters of a sensitive value."""
    if value is None:
        return None
    return "*" * max(len(value) - 3, 0) + value[-3:]


# A run of 6 to 10 digits, in groups of 3 or more joined by a space or hyphen
# ("123 456 782", "062-000"), not part of a decimal: the shape of a TFN (9),
# a BSB (6) or an account number (6-10), wherever it stands. Dates (4-2-2),
# amounts (85000.00) and ABNs (11 digits, public) are left alone.
_SENSITIVE_SHAPE = re.compile(r"(?<![0-9])(?<![0-9]\.)[0-9]{3,}(?:[ -][0-9]{3,})*(?![0-9]|\.[0-9])")


def _mask_digits(match: re.Match[str]) -> str:
    text = match.group()
    digits = sum(ch.isdigit() for ch in text)
    if not 6 <= digits <= 10:
        return text
    keep = len(text) - 3
    return "".join("*" if ch.isdigit() and i < keep else ch for i, ch in enumerate(text))


def mask_text(text: str | None) -> str | None:
    """Mask every TFN-, BSB- or account-shaped number in ``text``, whatever column it came from.

    Column masking alone fails when values sit under the wrong names (a header
    shifted by one column puts a TFN under ``lodgement_id``).
    """
    if text is None:
        return None
    return _SENSITIVE_SHAPE.sub(_mask_digits, text)


def use_arrow_pool(backend: str = "jemalloc") -> str:
    """Make Arrow allocate from ``backend`` for the rest of the process; the backend in use.

    The validator's processes call this first: with jemalloc, validating a 2 GB stream
    peaks at ~205 MB RSS run after run, against 235-260 MB from the default mimalloc, at the
    same speed (docs/benchmarks.md). A build without the backend keeps its default.
    """
    pools = {"jemalloc": pa.jemalloc_memory_pool, "mimalloc": pa.mimalloc_memory_pool, "system": pa.system_memory_pool}
    with contextlib.suppress(KeyError, NotImplementedError):  # unknown, or not in this build
        pa.set_memory_pool(pools[backend]())
    return str(pa.default_memory_pool().backend_name)


def normalise(values: pa.Array) -> pa.Array:
    """Field text as the checks (and curation) read it: trimmed, and blank as null."""
    trimmed = pc.utf8_trim_whitespace(values)
    return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)


def _cross_checks(
    schema: Schema, cols: dict[str, pa.Array], dates: dict[str, pa.Array], as_of: dt.date
) -> list[tuple[str, Reason, pa.Array]]:
    """Rules across fields; each only fires when its inputs are individually valid.

    ``dates`` holds the already-parsed date columns (null where invalid).
    """
    out: list[tuple[str, Reason, pa.Array]] = []
    if "lodged_within_income_year" in schema.cross_checks:
        year_ok = pc.invert(pc.fill_null(tax_year_bad(cols["tax_year"], as_of), True))
        years = pc.cast(pc.if_else(year_ok, cols["tax_year"], None), pa.int64())
        # income year N starts on 1 July of N-1; valid years make valid ISO text
        start = pc.cast(
            pc.binary_join_element_wise(pc.cast(pc.subtract(years, 1), pa.string()), "07-01", "-"),
            pa.date32(),
        )
        early = pc.fill_null(pc.less(dates["lodgement_date"], start), False)
        out.append(("lodgement_date", Reason.LODGED_BEFORE_YEAR_START, early))
    if "bas_period" in schema.cross_checks:
        start, end = dates["period_start"], dates["period_end"]
        lodged = dates["lodgement_date"]
        backwards = pc.less(end, start)
        # a BAS covers a month, a quarter or at most a year
        too_long = pc.greater(pc.days_between(start, end), 366)
        out.append(("period_end", Reason.INVALID_PERIOD, pc.fill_null(pc.or_(backwards, too_long), False)))
        out.append(("lodgement_date", Reason.LODGED_BEFORE_PERIOD_END, pc.fill_null(pc.less(lodged, end), False)))
    return out


@dataclass(frozen=True)
class CheckedChunk:
    """What checking a chunk found, with the work curation reuses: each field normalised
    (trimmed, blank as null) and each date field parsed (null where invalid)."""

    failed: pa.Array
    found: list[tuple[str, Reason, pa.Array]]
    columns: dict[str, pa.Array]
    dates: dict[str, pa.Array]


def check_chunk(
    chunk: Chunk, schema: Schema, config: ValidationConfig
) -> tuple[pa.Array, list[tuple[str, Reason, pa.Array]]]:
    """Return the per-row failure mask and every (field, reason, mask) found."""
    checked = checked_chunk(chunk, schema, config)
    return checked.failed, checked.found


def checked_chunk(chunk: Chunk, schema: Schema, config: ValidationConfig) -> CheckedChunk:
    """Check every rule on one chunk (see ``check_chunk``), keeping the parsed fields."""
    n = chunk.num_rows
    found: list[tuple[str, Reason, pa.Array]] = [("", r, m) for r, m in chunk.row_errors]
    reader_bad = pa.array([False] * n)
    for _r, mask in chunk.row_errors:
        reader_bad = pc.or_(reader_bad, mask)
    cols = {name: normalise(chunk.columns[name]) for name in schema.names}
    all_null = pa.array([True] * n)
    for arr in cols.values():
        all_null = pc.and_(all_null, pc.is_null(arr))
    empty = pc.and_(all_null, pc.invert(reader_bad))
    found.append(("", Reason.EMPTY_ROW, empty))
    # rows the reader or emptiness already condemned get no field noise
    skip = pc.or_(reader_bad, empty)
    keep = pc.invert(skip)
    dates: dict[str, pa.Array] = {}
    for column in schema.columns:
        values = cols[column.name]
        if column.required:
            found.append((column.name, Reason.MISSING_REQUIRED, pc.and_(pc.is_null(values), keep)))
        if column.rule is Rule.DATE:  # parsed once here, reused by the cross checks
            bad, dates[column.name] = parse_iso_dates(values)
            results = [
                (Reason.INVALID_DATE, bad),
                (Reason.DATE_OUT_OF_RANGE, dates_out_of_range(dates[column.name], config.as_of)),
            ]
        else:
            results = CHECKS[column.rule](values, config.as_of)
        for reason, mask in results:
            found.append((column.name, reason, pc.and_(mask, keep)))
    for name, reason, mask in _cross_checks(schema, cols, dates, config.as_of):
        found.append((name, reason, pc.and_(mask, keep)))
    failed = pa.array([False] * n)
    for _f, _r, mask in found:
        failed = pc.or_(failed, mask)
    return CheckedChunk(failed, found, cols, dates)


def _checked(
    chunks: Iterator[Chunk], schema: Schema, config: ValidationConfig
) -> Generator[tuple[Chunk, tuple[pa.Array, list[tuple[str, Reason, pa.Array]]]], None, None]:
    """Check chunks on a small thread pool, yielding results in file order."""
    return map_in_order(lambda chunk: check_chunk(chunk, schema, config), chunks, config.threads, name="validate")


def _rejected_rows(
    chunk: Chunk,
    schema: Schema,
    failed: pa.Array,
    found: list[tuple[str, Reason, pa.Array]],
    limit: int | None,
) -> list[dict[str, Any]]:
    """Describe rejected rows (all of them when ``limit`` is None)."""
    idx = pc.indices_nonzero(failed)
    if limit is not None:
        idx = idx.slice(0, limit)
    positions = idx.to_pylist()
    if not positions:
        return []
    errors: list[list[dict[str, str]]] = [[] for _ in positions]
    for name, reason, mask in found:
        hits = pc.take(mask, idx).to_pylist()
        for i, hit in enumerate(hits):
            if hit:
                errors[i].append({"field": name, "code": str(reason)} if name else {"code": str(reason)})
    records = pa.table({c: pc.take(chunk.columns[c], idx) for c in schema.names}).to_pylist()
    lines = chunk.lines(positions)
    rows = []
    for i, pos in enumerate(positions):
        row: dict[str, Any] = {"line": lines[i], "errors": errors[i], "record": records[i]}
        if chunk.raw is not None and chunk.raw[pos]:
            row["raw"] = chunk.raw[pos]
        rows.append(row)
    return rows


def _mask_row(row: dict[str, Any], schema: Schema) -> dict[str, Any]:
    masked = dict(row)
    masked["record"] = {
        k: (mask_value(v) if schema.column(k).sensitive else mask_text(v)) for k, v in row["record"].items()
    }
    masked.pop("raw", None)  # raw text may hold a TFN; the rejects file keeps it
    return masked


def _mask_report(report: ValidationReport) -> None:
    """Names and messages quoted from the file (a header that is really a data row) are masked too."""
    report.columns = [mask_text(c) or "" for c in report.columns]
    report.schema_drift = {k: [mask_text(c) or "" for c in v] for k, v in report.schema_drift.items()}
    report.detail = mask_text(report.detail)


def _resolve_schema(kind: str | None, name: str, header: list[str]) -> Schema:
    chosen = kind or kind_from_path(name) or kind_from_header(header)
    if chosen is None:
        raise FileRejected(Reason.UNKNOWN_KIND, "kind not given, not in the path, and not recognisable from the header")
    return get_schema(chosen)


def _schema_drift(schema: Schema, header: list[str]) -> dict[str, list[str]]:
    present = set(header)
    return {
        "missing": sorted(schema.required - present),
        "unexpected": sorted(present - set(schema.names)),
    }


def validate_stream(
    stream: Any,
    name: str,
    *,
    kind: str | None = None,
    config: ValidationConfig | None = None,
    on_rejects: RejectSink | None = None,
) -> ValidationReport:
    """Validate every record of ``stream`` (a file named ``name``).

    ``on_rejects`` receives each chunk's rejected rows unmasked (line,
    errors, record), for writing a rejects file; the report quotes only the
    first few, masked. Never raises for bad content: a file that cannot be
    read is reported as quarantined with a reason.
    """
    config = config or ValidationConfig()
    started = time.perf_counter()
    tally = _Tally()
    report = ValidationReport(
        file=name,
        kind=kind,
        status=ACCEPTED,
        records_read=0,
        records_valid=0,
        records_rejected=0,
        reasons={},
        rejected_samples=[],
        reject_threshold=config.reject_threshold,
    )
    counter: CountingReader | None = None
    source: RecordSource | None = None
    try:
        source, counter = open_source(stream, name, config.limits)
        report.format, report.compression = source.format.name, source.format.compression
        report.columns = list(source.header)
        schema = _resolve_schema(kind, name, source.header)
        report.kind = schema.kind
        if source.has_header:
            duplicates = sorted({h for h in source.header if source.header.count(h) > 1})
            report.schema_drift = _schema_drift(schema, source.header)
            if duplicates or report.schema_drift["missing"] or report.schema_drift["unexpected"]:
                parts = [f"{k}: {', '.join(v)}" for k, v in report.schema_drift.items() if v]
                if duplicates:
                    parts.append(f"duplicated: {', '.join(duplicates)}")
                raise FileRejected(Reason.SCHEMA_DRIFT, "; ".join(parts))
        _read_all(source, schema, config, tally, on_rejects)
        if tally.read == 0:
            blank = f" ({source.blank_lines:,} blank lines)" if source.blank_lines else ""
            raise FileRejected(Reason.EMPTY_FILE, f"header only, no records{blank}")
    except FileRejected as exc:
        report.status = QUARANTINED
        report.quarantine_reason = str(exc.reason)
        report.detail = exc.detail
    finally:
        if source is not None:
            source.close()
            report.blank_lines = source.blank_lines
    report.records_read = tally.read
    report.records_rejected = tally.rejected
    report.records_valid = tally.read - tally.rejected
    report.reasons = dict(sorted(tally.reasons.items()))
    report.rejected_samples = sorted(tally.samples, key=lambda r: r["line"])[: config.sample_limit]
    report.reject_rate = round(tally.rejected / tally.read, 6) if tally.read else 0.0
    if report.status == ACCEPTED and report.reject_rate > config.reject_threshold:
        report.status = QUARANTINED
        report.quarantine_reason = str(Reason.REJECT_RATE_EXCEEDED)
        report.detail = (
            f"{tally.rejected} of {tally.read} records rejected "
            f"({report.reject_rate:.2%} > {config.reject_threshold:.2%})"
        )
    report.bytes_read = counter.bytes_read if counter else 0
    report.bytes_decoded = counter.bytes_decoded if counter else 0
    report.duration_ms = int((time.perf_counter() - started) * 1000)
    _mask_report(report)
    return report


def _read_all(
    source: RecordSource, schema: Schema, config: ValidationConfig, tally: _Tally, on_rejects: RejectSink | None
) -> None:
    """Check every chunk into ``tally``; a chunk is counted whole or not at all, so counts stay conserved."""
    max_rows = config.limits.max_rows
    chunks = iter_chunks(source, schema.names)
    checked = _checked(chunks, schema, config)
    try:
        for chunk, (failed, found) in checked:
            if tally.read + chunk.num_rows > max_rows:
                raise FileRejected(Reason.ROW_LIMIT, f"more than {max_rows:,} records (max_rows)")
            rejected = pc.sum(failed).as_py() or 0
            tally.read += chunk.num_rows
            tally.rejected += rejected
            if not rejected:
                continue
            by_reason: dict[Reason, pa.Array] = {}
            for _f, reason, mask in found:
                by_reason[reason] = pc.or_(by_reason[reason], mask) if reason in by_reason else mask
            for reason, mask in by_reason.items():
                hits = pc.sum(mask).as_py() or 0
                if hits:
                    tally.reasons[str(reason)] += hits
            room = config.sample_limit - len(tally.samples)
            if on_rejects is not None:
                rows = _rejected_rows(chunk, schema, failed, found, None)
                on_rejects(rows)
                tally.samples.extend(_mask_row(r, schema) for r in rows[: max(room, 0)])
            elif room > 0:
                rows = _rejected_rows(chunk, schema, failed, found, room)
                tally.samples.extend(_mask_row(r, schema) for r in rows)
    finally:
        # stop the checkers, then the reader (and its read-ahead) before the verdict is returned
        checked.close()
        chunks.close()


def validate_path(
    path: str | Path,
    *,
    kind: str | None = None,
    config: ValidationConfig | None = None,
    on_rejects: RejectSink | None = None,
) -> ValidationReport:
    """Validate a local file."""
    with open(path, "rb") as fh:
        return validate_stream(fh, str(path), kind=kind, config=config, on_rejects=on_rejects)
