"""Command line: argument parsing only. Each subcommand calls one public function.

Exit codes: 0 OK; 1 some downloads failed (``fetch``; the report says which); 2 bad input
(problems listed); 3 data missing (the message says how to fetch).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from eventstudy.exceptions import CatalogError, DataNotFoundError, EventStudyError

EXIT_OK = 0
EXIT_BAD_INPUT = 2
EXIT_NO_DATA = 3
EXIT_FETCH_FAILED = 1  # eventstudy fetch: at least one download failed (see the report)


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def _cmd_validate(args: argparse.Namespace) -> int:
    from eventstudy.data.catalog import validate_events

    n = validate_events(args.path)  # raises CatalogError listing every problem (exit 2)
    print(f"OK: {args.path}: {n} event{'s' if n != 1 else ''}")
    return EXIT_OK


def _cmd_events(args: argparse.Namespace) -> int:
    from eventstudy.data.catalog import load_events
    from eventstudy.data.day0 import align_events

    table = align_events(load_events(args.catalog), _split(args.instruments))
    # ISO 8601 for printing: event time in UTC with a Z, day 0 columns as plain dates.
    table["event_time"] = table["event_time"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    for col in table.columns[2:]:
        table[col] = table[col].dt.strftime("%Y-%m-%d")
    if args.csv:
        table.to_csv(sys.stdout, index=False)
    else:
        print(table.to_string(index=False))
    return EXIT_OK


def _cmd_fetch(args: argparse.Namespace) -> int:
    from eventstudy.data.catalog import is_market_slug
    from eventstudy.data.fetch import fetch_data

    slugs = _split(args.markets) if args.markets else []
    bad = [s for s in slugs if not is_market_slug(s)]
    if bad:
        print(
            f"error: --markets: {', '.join(map(repr, bad))} "
            f"{'is not a' if len(bad) == 1 else 'are not'} Polymarket market slug"
            f"{'' if len(bad) == 1 else 's'} (letters, digits and single hyphens, e.g. "
            "will-us-leave-nato-by-june-30; separate several with commas); nothing was fetched",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    report = fetch_data(
        data_dir=args.data_dir,
        tickers=_split(args.tickers) if args.tickers else None,
        series=_split(args.series) if args.series else None,
        slugs=_split(args.markets) if args.markets else None,
        catalog=args.catalog,
        start=args.start,
        end=args.end,
        replace=args.replace,
    )
    if report.empty:
        print("nothing to fetch")
        return EXIT_OK
    print(report.to_string(index=False, max_colwidth=100))
    changed = report.loc[report["changed"] > 0, "key"] if "changed" in report else []
    if len(changed):
        print(
            f"{len(changed)} stored file(s) had values changed by the download: "
            f"{', '.join(changed)} (the 'note' column gives examples)",
            file=sys.stderr,
        )
    failed = int((report["status"] == "failed").sum())
    empty = int((report["status"] == "empty").sum())
    if empty:
        print(f"{empty} item(s) returned no data; nothing was written for them", file=sys.stderr)
    if failed:
        print(
            f"{failed} of {len(report)} item(s) failed; nothing was written for them "
            "(previous files are unchanged)",
            file=sys.stderr,
        )
        return EXIT_FETCH_FAILED
    return EXIT_OK


def _cmd_run(args: argparse.Namespace) -> int:
    from eventstudy.report.compose import run_report

    out = run_report(catalog=args.catalog, data_dir=args.data_dir, out=args.out)
    print(f"report written to {out}")
    return EXIT_OK


def _cmd_arc(args: argparse.Namespace) -> int:
    from eventstudy.report.arc import run_arc

    out = run_arc(
        args.request, args.firms, args.market, out=args.out, model=args.model, returns=args.returns
    )
    print(f"ARC study written to {out}")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="eventstudy",
        description="Event studies on geopolitical risk: gold abnormal returns, Polymarket odds.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("validate", help="check an events catalog and list every problem")
    p.add_argument("path", nargs="?", default="events.csv", help="catalog (default events.csv)")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("events", help="validated catalog with day 0 per instrument")
    p.add_argument("--catalog", default="events.csv", help="catalog (default events.csv)")
    p.add_argument("--instruments", default="GC=F,GLD", help="comma-separated tickers")
    p.add_argument("--csv", action="store_true", help="print CSV instead of a table")
    p.set_defaults(func=_cmd_events)

    p = sub.add_parser("fetch", help="download prices and Polymarket data into a data directory")
    p.add_argument("--data-dir", default=None, help="default: $EVENTSTUDY_DATA, else ./data")
    p.add_argument("--tickers", default=None, help="comma-separated Yahoo tickers")
    p.add_argument("--series", default=None, help="comma-separated FRED series ids")
    p.add_argument("--markets", default=None, help="comma-separated Polymarket market slugs")
    p.add_argument("--catalog", default=None, help="also fetch every market slug of this catalog")
    p.add_argument("--start", default="2015-01-01", help="first date (YYYY-MM-DD)")
    p.add_argument("--end", default=None, help="last date (YYYY-MM-DD, default today)")
    p.add_argument(
        "--replace",
        action="store_true",
        help="replace stored files by the downloads (default: merge, so history never shrinks)",
    )
    p.set_defaults(func=_cmd_fetch)

    p = sub.add_parser("run", help="run the gold and odds study and write a report directory")
    p.add_argument("--catalog", default="events.csv", help="catalog (default events.csv)")
    p.add_argument("--data-dir", default=None, help="default: $EVENTSTUDY_DATA, else ./data")
    p.add_argument("--out", default="report", help="report directory (default report/)")
    p.set_defaults(func=_cmd_run)

    p = sub.add_parser("arc", help="run an EventStudyTools ARC-format study")
    p.add_argument("request", type=Path)
    p.add_argument("firms", type=Path)
    p.add_argument("market", type=Path)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument(
        "--model", default="market", choices=["market", "constant-mean", "market-adjusted"]
    )
    p.add_argument("--returns", default="log", choices=["log", "simple"])
    p.set_defaults(func=_cmd_arc)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code = args.func(args)
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        # The reader went away (e.g. `eventstudy events --csv | head`): not an error. Point
        # stdout at devnull so the interpreter's final flush does not raise again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except CatalogError as exc:
        print(exc, file=sys.stderr if args.command != "validate" else sys.stdout)
        return EXIT_BAD_INPUT
    except DataNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_NO_DATA
    except EventStudyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
