#!/usr/bin/env bash
# Everything the tests need on a fresh Debian machine (run from the repository root, as root):
# CDO (the regridding oracle), Slurm and munge (the single-node cluster of the Slurm test,
# started by tests/slurm/cluster.sh), Chromium (opens the Snakemake report), the virtual
# environment with the test extras, and the ismn package's own sample data (in its source
# distribution only) for the station-reader tests.
set -euo pipefail
missing=()
for pair in cdo:cdo slurmctld:slurmctld slurmd:slurmd sbatch:slurm-client munged:munge \
            chromium:chromium; do
    command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null
fi
python3 -m venv .venv
.venv/bin/pip install -q -c tests/constraints.txt -e '.[test]'
if [ ! -d .cache/ismn-1.5.4/tests/test_data ]; then
    mkdir -p .cache
    .venv/bin/pip download -q --no-deps --no-binary :all: ismn==1.5.4 -d .cache
    tar -xzf .cache/ismn-1.5.4.tar.gz -C .cache
fi
