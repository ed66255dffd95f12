"""`python -m smdown.provenance FILE [--depth N] [--json] [--no-verify]`: a file's lineage,
with every file in it checked against the sha256 its sidecar recorded."""

from __future__ import annotations

import argparse
import sys

from smdown.errors import InputError
from smdown.provenance.lineage import json_text, lineage_tree, summary_line, verify_lineage


def main(argv: list[str] | None = None) -> int:
    """`python -m smdown.provenance FILE [--depth N] [--json] [--no-verify]`: print a file's
    lineage, checked; exit 0, 1 when a file in it changed or is missing, 2 on an error."""
    parser = argparse.ArgumentParser(
        prog="python -m smdown.provenance",
        description="Show where a file written by the workflow came from: its lineage back to "
        "the raw sources, read from its .prov.json sidecar, with every file in it "
        "checked against its recorded sha256. Exit status: 0 all unchanged, 1 a file "
        "changed or is missing, 2 error.",
    )
    parser.add_argument("file", help="a file or directory the workflow wrote, or its sidecar")
    parser.add_argument("--depth", type=int, metavar="N", help="show at most N levels of inputs")
    parser.add_argument("--json", action="store_true", help="print the sidecar as JSON instead")
    parser.add_argument(
        "--no-verify",
        dest="verify",
        action="store_false",
        help="print the lineage as recorded, without hashing any file",
    )
    args = parser.parse_args(argv)
    if args.depth is not None and args.depth < 0:
        parser.error("--depth must be 0 or more")
    try:
        depth = None if args.json else args.depth  # --json prints the whole lineage
        checks = verify_lineage(args.file, depth) if args.verify else []
        text = (
            json_text(args.file, checks)
            if args.json
            else lineage_tree(args.file, args.depth, checks)
        )
    except (InputError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(text)
    if not checks:
        return 0
    print(summary_line(checks), file=sys.stderr if args.json else sys.stdout)
    return 1 if any(check.status != "ok" for check in checks) else 0


if __name__ == "__main__":
    raise SystemExit(main())
