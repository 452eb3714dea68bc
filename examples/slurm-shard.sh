#!/bin/bash
#SBATCH --job-name=cebtools-shard
#SBATCH --ntasks=1
# slurm-shard.sh: one task of a Slurm job array, one shard of one step of
# the sharded night (sharded-night.sh -E slurm submits it, once per step):
#
#   sbatch --wait --array=1-N slurm-shard.sh STEP WORK STATE
#
# Task K of the array (SLURM_ARRAY_TASK_ID, counted from
# SLURM_ARRAY_TASK_MIN) runs shard K/N, N being SLURM_ARRAY_TASK_COUNT, of
# STEP (reconcile, quota, writeoff) over the night's work folder WORK with
# the shards' state under STATE, as "sharded-night.sh --job STEP K/N WORK
# STATE".  sbatch runs a copy of this script, so it finds sharded-night.sh
# in $CEBTOOLS_LIBEXEC (sharded-night.sh sets it; sbatch passes the
# environment on), else beside itself.  Exit status: the tool's (0, 1
# findings, 2 trouble), also written to WORK/status/STEP-K.
set -u
[ $# = 3 ] || { echo "usage: sbatch --array=1-N slurm-shard.sh STEP WORK STATE" >&2; exit 2; }
id=${SLURM_ARRAY_TASK_ID:-} count=${SLURM_ARRAY_TASK_COUNT:-}
min=${SLURM_ARRAY_TASK_MIN:-1} step=${SLURM_ARRAY_TASK_STEP:-1}
case $id$count$min$step in
'' | *[!0-9]*)
	echo "slurm-shard.sh: not a task of a job array (sbatch --array=1-N)" >&2
	exit 2 ;;
esac
k=$((id - min + 1))
if [ "$step" != 1 ] || [ "$k" -lt 1 ] || [ "$k" -gt "$count" ]; then
	echo "slurm-shard.sh: task $id of $count: the array must be 1-N, every index" >&2
	exit 2
fi
exec bash "${CEBTOOLS_LIBEXEC:-$(dirname "$0")}/sharded-night.sh" --job \
    "$1" "$k/$count" "$2" "$3"
