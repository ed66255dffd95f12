#!/usr/bin/env bash
# Everything the tests need on a fresh Debian machine (run from the repository root, as root):
# CDO (the regridding oracle), the virtual environment with the test extras, and the ismn
# package's own sample data (in its source distribution only) for the station-reader tests.
set -euo pipefail
if ! command -v cdo >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq cdo >/dev/null
fi
python3 -m venv .venv
.venv/bin/pip install -q -e '.[test]'
if [ ! -d .cache/ismn-1.5.4/tests/test_data ]; then
    mkdir -p .cache
    .venv/bin/pip download -q --no-deps --no-binary :all: ismn==1.5.4 -d .cache
    tar -xzf .cache/ismn-1.5.4.tar.gz -C .cache
fi
