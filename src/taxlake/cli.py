"""The ``taxlake`` command line.

Exit codes: 0 success (every file accepted), 1 a file was quarantined or a
check failed, 2 usage error (bad arguments, unreadable path).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from taxlake import __version__
from taxlake.asl import commands as asl_commands
from taxlake.records.schemas import KINDS

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2
_SIZE = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*([kmgt]?i?b?)?\s*$", re.IGNORECASE)


def parse_size(text: str) -> int:
    """'1GB' -> 10**9, '512MiB' -> 512 * 2**20, '2000' -> 2000."""
    m = _SIZE.match(text)
    if not m:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (try 500MB, 1GiB)")
    number, unit = float(m.group(1)), (m.group(2) or "").lower()
    base = 1024 if "i" in unit else 1000
    power = {"": 0, "b": 0, "k": 1, "m": 2, "g": 3, "t": 4}[unit.replace("i", "").replace("b", "") or ""]
    return int(number * base**power)


def _share(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, got {text}")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be above 0, got {text}")
    return value


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO date: {text!r}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="taxlake", description="taxlake platform tools")
    parser.add_argument("--version", action="version", version=f"taxlake {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    v = sub.add_parser(
        "validate",
        help="validate lodgement files as the validator Lambda does",
        description="Print one JSON report per file. Exit 0 if all accepted, 1 if any quarantined.",
    )
    v.add_argument("paths", nargs="+", metavar="PATH", help="csv, csv.gz, jsonl, jsonl.gz or parquet")
    v.add_argument("--kind", choices=KINDS, help="file kind (default: from the path, then the header)")
    v.add_argument("--reject-threshold", type=_share, default=0.01, help="quarantine above this reject rate")
    v.add_argument("--as-of", type=_date, help="treat this date as today for range checks")
    v.add_argument("--samples", type=int, default=5, help="rejected rows quoted per report")
    v.add_argument("--rejects-dir", type=Path, help="write every rejected row to DIR/<file>.rejects.jsonl.gz")
    v.add_argument("--pretty", action="store_true", help="indent the JSON")
    # defaults live in taxlake.records.readers.Limits; None here means "keep the default"
    v.add_argument("--max-decoded-size", type=parse_size, help="gzip input: most bytes after inflation")
    v.add_argument("--max-ratio", type=_positive_float, help="gzip input: most inflated/stored bytes")
    v.add_argument("--max-line-size", type=parse_size, help="longest CSV row or JSON line")
    v.add_argument("--max-rows", type=int, help="most records read from one file")

    g = sub.add_parser(
        "generate",
        help="write deterministic sample files",
        description="Same seed, same bytes. Prints the ground truth (planted defects) as JSON.",
    )
    g.add_argument("--kind", choices=KINDS, default="lodgement")
    size = g.add_mutually_exclusive_group()
    size.add_argument("--rows", type=int, help="number of records (default 1000)")
    size.add_argument("--size", type=parse_size, help="approximate file size, e.g. 100MB, 1GB")
    g.add_argument("--seed", type=int, default=0)
    g.add_argument("--invalid-share", type=_share, default=0.0, help="share of records with one defect")
    g.add_argument("--fraud-rings", type=int, default=0, help="lodgement: plant N refund rings (6 TFNs, one account)")
    g.add_argument("--deductions-outliers", type=int, default=0, help="lodgement: plant N deductions ~ income")
    g.add_argument("--income-gaps", type=int, default=0, help="lodgement: plant N incomes far below payer reports")
    g.add_argument("--agent-bursts", type=int, default=0, help="lodgement: plant N one-day bursts from one agent")
    g.add_argument(
        "--third-party-share", type=_share, default=0.0, help="lodgement: share of returns given honest payer reports"
    )
    g.add_argument("--payers", type=Path, help="lodgement: also write the payer reports the sample implies here")
    g.add_argument("--as-of", type=_date, default=dt.date(2026, 11, 1), help="the generator's today")
    g.add_argument("--out", type=Path, required=True, help="output file; format from its extension")
    g.add_argument("--truth", type=Path, help="also write the ground truth JSON here")

    a = sub.add_parser(
        "asl",
        help="lint Step Functions definitions and derive their IAM policy",
        description="Amazon States Language tools. Exit 0 if every file passes, 1 on problems, 2 on usage errors.",
    )
    asl_commands.configure(a)
    return parser


def _cmd_validate(args: argparse.Namespace) -> int:
    from taxlake.records.readers import Limits
    from taxlake.records.validation import ValidationConfig, validate_path

    missing = [p for p in args.paths if not Path(p).is_file()]
    if missing:
        print(f"taxlake validate: not a readable file: {', '.join(missing)}", file=sys.stderr)
        return EXIT_USAGE
    chosen = {
        "max_decoded_bytes": args.max_decoded_size,
        "max_ratio": args.max_ratio,
        "max_line_bytes": args.max_line_size,
        "max_rows": args.max_rows,
    }
    try:
        limits = Limits(**{k: v for k, v in chosen.items() if v is not None})
    except ValueError as exc:
        print(f"taxlake validate: {exc}", file=sys.stderr)
        return EXIT_USAGE
    config = ValidationConfig(
        reject_threshold=args.reject_threshold,
        sample_limit=args.samples,
        limits=limits,
        **({"as_of": args.as_of} if args.as_of else {}),
    )
    worst = EXIT_OK
    for path in args.paths:
        sink, close = _rejects_sink(args.rejects_dir, Path(path))
        try:
            report = validate_path(path, kind=args.kind, config=config, on_rejects=sink)
        finally:
            close()
        print(json.dumps(report.to_dict(), indent=2 if args.pretty else None, default=str), flush=True)
        if not report.accepted:
            worst = EXIT_FAIL
    return worst


def _rejects_sink(directory: Path | None, path: Path) -> tuple[Any, Any]:
    if directory is None:
        return None, lambda: None
    directory.mkdir(parents=True, exist_ok=True)
    # closed by the returned callback, after the last chunk
    fh = gzip.open(directory / f"{path.name}.rejects.jsonl.gz", "wt", encoding="utf-8")  # noqa: SIM115

    def sink(rows: list[dict[str, Any]]) -> None:
        for row in rows:
            fh.write(json.dumps(row) + "\n")

    return sink, fh.close


def _cmd_generate(args: argparse.Namespace) -> int:
    from taxlake.generate import GenerateSpec, rows_for_size, write_payer_reports, write_sample

    rows = args.rows if args.rows is not None else 1_000
    if args.size is not None:
        rows = rows_for_size(args.kind, args.size, args.out.name)
    if rows < 0:
        print("taxlake generate: --rows must be >= 0", file=sys.stderr)
        return EXIT_USAGE
    try:
        spec = GenerateSpec(
            kind=args.kind, rows=rows, seed=args.seed, invalid_share=args.invalid_share, as_of=args.as_of,
            fraud_rings=args.fraud_rings, deductions_outliers=args.deductions_outliers, income_gaps=args.income_gaps,
            agent_bursts=args.agent_bursts, third_party_share=args.third_party_share,
        )  # fmt: skip
        if args.payers and args.kind != "lodgement":
            raise ValueError("--payers needs --kind lodgement (payer reports cover lodgements)")
        truth = write_sample(args.out, spec)
        payers = write_payer_reports(args.payers, truth) if args.payers else None
    except ValueError as exc:
        print(f"taxlake generate: {exc}", file=sys.stderr)
        return EXIT_USAGE
    doc = {"file": str(args.out), "kind": args.kind, "seed": args.seed, **truth.to_dict()}
    if payers is not None:
        doc["payers"] = {"file": str(args.payers), "records": payers}
    if args.truth:
        args.truth.write_text(json.dumps(doc, indent=2) + "\n")
    print(json.dumps(doc))
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    handlers = {"validate": _cmd_validate, "generate": _cmd_generate, "asl": asl_commands.run}
    return handlers[args.command](args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
