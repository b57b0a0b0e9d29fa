#!/usr/bin/env bash
# Runs a command with a throwaway Slurm cluster on this machine, and stops it after.
#
#   scripts/with-slurm.sh swift test --skip-build
#
# The command sees SLURM_CONF and NURI_TEST_SLURM_CONF (the cluster's slurm.conf) and
# NURI_REQUIRE_SLURM=1, so the Slurm tests run (and fail, rather than skip, if the cluster is
# missing). If NURI_TEST_SLURM_CONF is already set, that cluster is used and none is started.
# Needs root and Debian's Slurm, munge and MariaDB packages (.ci/run installs them); see
# scripts/slurm-cluster.sh.
set -euo pipefail

if [[ -n "${NURI_TEST_SLURM_CONF:-}" ]]; then
    export NURI_REQUIRE_SLURM=1 SLURM_CONF=$NURI_TEST_SLURM_CONF
    exec "$@"
fi

here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d /tmp/nuri-slurm.XXXXXX)
cleanup() { "$here/slurm-cluster.sh" stop "$dir" || true; }
trap cleanup EXIT
trap 'exit 130' INT TERM

started=$SECONDS
"$here/slurm-cluster.sh" start "$dir"
echo "with-slurm: cluster started in $((SECONDS - started)) s" >&2
eval "$("$here/slurm-cluster.sh" env "$dir")"
export NURI_REQUIRE_SLURM=1
"$@"
