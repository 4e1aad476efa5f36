"""``python -m citetrack_emulator``: serve the emulator in the foreground until Ctrl-C.

Prints the ``export CITETRACK_…=…`` lines that point citetrack at it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from citetrack_emulator.server import env_for, serve


def _limits(value: str) -> str | Mapping[str, Any]:
    if value in ("off", "published"):
        return value
    loaded = json.loads(Path(value).read_text(encoding="utf-8"))
    if not isinstance(loaded, dict):
        raise argparse.ArgumentTypeError("a limits file holds a JSON object")
    return loaded


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m citetrack_emulator",
        description=(
            "Local emulator of Crossref, NCBI E-utilities, the PMC id converter, doi.org "
            "and the Wayback Machine."
        ),
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    parser.add_argument(
        "--port", type=int, default=8765, help="port (default 8765; 0 = any free port)"
    )
    parser.add_argument(
        "--world", type=Path, help="world JSON file (default: the shipped seed world)"
    )
    parser.add_argument(
        "--page-hosts",
        type=int,
        default=0,
        metavar="N",
        help="also listen on 127.0.0.2 … 127.0.0.(N+1)",
    )
    parser.add_argument(
        "--latency-ms", type=float, default=0.0, help="base latency added to every request"
    )
    parser.add_argument(
        "--limits",
        type=_limits,
        default="off",
        help=(
            "'off' (default: limits advertised, not enforced), 'published', "
            "or a JSON file of bucket settings"
        ),
    )
    args = parser.parse_args(argv)

    def ready(url: str, hosts: list[str]) -> None:
        for name, value in env_for(url).items():
            print(f"export {name}={value}")
        print(f"# pages:   {url}/pages/…  (hosts: {', '.join(hosts)})", file=sys.stderr)
        print(
            f"# control: {url}/_control/stats · /world · /faults · /limits · /latency · /reset",
            file=sys.stderr,
        )
        print("# Ctrl-C to stop", file=sys.stderr)
        sys.stdout.flush()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(
            serve(
                args.world,
                host=args.host,
                port=args.port,
                page_hosts=args.page_hosts,
                limits=args.limits,
                latency_ms=args.latency_ms,
                ready=ready,
            )
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
