#!/usr/bin/env bash
# The four lint steps, first and fast (run from the repository root after tests/setup.sh):
# ruff's rules and its formatting, snakefmt on the Snakefile and the rule files, and
# Snakemake's own linter on the workflow (it plans the demo config; nothing runs).
set -euo pipefail
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/snakefmt --check Snakefile workflow/rules
lint=$(.venv/bin/snakemake --lint --directory "$(mktemp -d)" 2>&1) || { echo "$lint"; exit 1; }
if grep -q "^Lints for" <<<"$lint"; then echo "$lint"; exit 1; fi
echo "lint: ruff check, ruff format --check, snakefmt --check and snakemake --lint pass"
