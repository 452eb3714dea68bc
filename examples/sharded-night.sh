#!/bin/bash
# sharded-night.sh: the night of nightly.sh with its import leg split into
# N shards (--shard K/N of ceb-reconcile and ceb-quota-check) that GNU
# parallel runs as local jobs or on other hosts, then merged.
#
#   sharded-night.sh [-E ENGINE] [-n SHARDS] [-j JOBS] [-S SSHLOGINS]
#                    DAYDIR [OUTDIR]
#
#   -E ENGINE     what runs the shards (default parallel):
#                 parallel  GNU parallel, local jobs or -S hosts
#                 slurm     a Slurm job array per step, "sbatch --wait
#                           --array=1-N slurm-shard.sh STEP WORK STATE"
#                           (slurm-shard.sh, beside this script); options
#                           for sbatch in $SBATCH_OPTIONS (e.g.
#                           "--partition=night --time=2:00:00")
#                 hadoop    a Hadoop Streaming job per step, map only, one
#                           map task per shard: NLineInputFormat over a
#                           file of shard numbers 1..N, the mapper
#                           hadoop-shard-map.sh (beside this script);
#                           the streaming jar in $HADOOP_STREAMING
#                 slurm and hadoop, like -S, need DAYDIR, $CEBTOOLS_STATE
#                 and the tools at the same paths on every node (a shared
#                 file system, the paths without blanks for hadoop)
#   -n SHARDS     how many shards (default 4).  Keep it from night to
#                 night: a shard's state (its waiting documents, the quota
#                 ledger of its buyers) lives under $CEBTOOLS_STATE/shards-N
#                 and another N starts from empty state.
#   -j JOBS       (parallel) jobs at once on each host (default: one per
#                 core)
#   -S SSHLOGINS  (parallel) GNU parallel's --sshlogin: run the shards on these hosts
#                 ("2/host1,4/host2"; ":" is this machine).  Every host
#                 must have cebtools installed at the same paths, and this
#                 script at the same path, and must see DAYDIR (for the
#                 manifests), $CEBTOOLS_STATE and the work folder (under
#                 it) at the same paths: a shared file system, since shard
#                 K's state must be there the next night whichever host
#                 runs it (give DAYDIR as an absolute path).
#
# The night, as nightly.sh runs it (same settings: CEBTOOLS_STATE, GRACE,
# TRUST, PAYER_IS_BUYER; same lock, so the two never run at once on one
# state):
#   1. here:      ceb-cat and ceb-validate over DAYDIR (receipts, validate.csv)
#   2. parallel:  ceb-reconcile --shard K/N, K = 1..N, over the validated
#                 stream; and ceb-manifest-writeoff as one job (its bill and
#                 master totals need every parcel of the night, see
#                 ceb-manifest-writeoff(1), Sharding)
#   3. parallel:  ceb-quota-check --shard K/N over the N reconciled outputs
#                 (shard by buyer: every shard reads them all)
#   4. here:      the reports merged (one header, the shards' rows in shard
#                 order), accepted.xml the shards' outputs in shard order
# The shards' own reports and outputs stay in OUTDIR/shards/.  The merged
# reports hold the rows of one unsharded night (in another order), and
# accepted.xml the same inventories (tests/sharded-night.test).
#
# Exit status, one for the night: the worst of every step and every shard
# (0 all passed, 1 findings, 2 trouble: a step or a shard could not run).
#
# Every engine runs each shard as "sharded-night.sh --job STEP K/N WORK
# STATE", a form for the engines, not for people: one shard of one step
# (the tool's options in WORK/STEP.args, NUL-separated; run in the folder
# the night was started in, WORK/cwd, so that relative paths mean the
# same on every node); its exit status,
# the tool's, is also written to WORK/status/STEP-K, which is how the
# night learns it whatever the engine (a shard with no status file did not
# run: trouble).
set -u
set -o pipefail
here=$(cd "$(dirname "$0")" && pwd)
self=$here/$(basename "$0")

if [ "${1:-}" = --job ]; then
	# One shard of one step.
	[ $# = 5 ] || { echo "sharded-night.sh: --job STEP K/N WORK STATE" >&2; exit 2; }
	step=$2 shard=$3 work=$4 st=$5
	k=${shard%/*} n=${shard#*/}
	# Where the night was started: its relative paths (DAYDIR, the
	# manifests) are relative to it, wherever the engine starts a job.
	cd "$(cat "$work/cwd")" || exit 2
	args=()
	if [ -f "$work/$step.args" ]; then
		mapfile -d '' -t args <"$work/$step.args" || exit 2
	fi
	case $step in
	reconcile)
		ceb-reconcile "${args[@]}" --shard "$shard" -s "$st/reconcile-$k" \
		    -r "$work/reconcile-$k.csv" "$work/valid.xml" \
		    >"$work/reconciled-$k.xml" ;;
	quota)
		in=() i=1
		while [ $i -le "$n" ]; do
			in+=("$work/reconciled-$i.xml")
			i=$((i + 1))
		done
		ceb-quota-check "${args[@]}" --shard "$shard" \
		    --ledger "$st/quota-$k.db" -r "$work/quota-$k.csv" \
		    "${in[@]}" >"$work/accepted-$k.xml" ;;
	writeoff)
		ceb-manifest-writeoff "${args[@]}" -s "$st/writeoff" \
		    --summary "$work/summaries" -r "$work/writeoff.csv" \
		    "$work/valid.xml" >/dev/null ;;
	*)
		echo "sharded-night.sh: --job: unknown step $step" >&2
		exit 2 ;;
	esac
	s=$?
	mkdir -p "$work/status" &&
	    echo "$s" >"$work/status/.$step-$k.$$" &&
	    mv -f "$work/status/.$step-$k.$$" "$work/status/$step-$k" || exit 2
	exit $s
fi
. "$here/night-common.sh" || exit 2

usage() {
	echo "usage: sharded-night.sh [-E engine] [-n shards] [-j jobs] [-S sshlogins] DAYDIR [OUTDIR]" >&2
	exit 2
}
engine=parallel shards=4 jobs= logins=
while getopts E:n:j:S: o; do
	case $o in
	E) engine=$OPTARG ;;
	n) shards=$OPTARG ;;
	j) jobs=$OPTARG ;;
	S) logins=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] && [ $# -le 2 ] || usage
day=$1
case $shards in
'' | *[!0-9]* | 0*) log "sharded-night.sh: -n: not a number of shards: $shards" >&2
	exit 2 ;;
esac
night_settings sharded-night.sh
case $engine in
parallel)
	command -v parallel >/dev/null || {
		log "sharded-night.sh: GNU parallel not found (Debian: parallel)" >&2
		exit 2
	} ;;
slurm)
	command -v sbatch >/dev/null || {
		log "sharded-night.sh: sbatch not found (Debian: slurm-client)" >&2
		exit 2
	} ;;
hadoop)
	command -v hadoop >/dev/null && [ -f "${HADOOP_STREAMING:-}" ] || {
		log "sharded-night.sh: -E hadoop needs hadoop on PATH and" \
		    "HADOOP_STREAMING, the streaming jar" >&2
		exit 2
	} ;;
*)
	log "sharded-night.sh: -E: not an engine (parallel, slurm, hadoop): $engine" >&2
	exit 2 ;;
esac
[ -z "$logins$jobs" ] || [ "$engine" = parallel ] || {
	log "sharded-night.sh: -j and -S are for -E parallel" >&2
	exit 2
}
night_start sharded-night.sh "$day"

out=${2:-$state/nights/$(basename "$day")-$(date +%Y%m%dT%H%M%S)}
mkdir -p "$out/receipts" "$out/shards" "$state/shards-$shards" || exit 2
out=$(cd "$out" && pwd)
sst=$state/shards-$shards
# The work folder is under the state: with -S the hosts must see it.
work=$(mktemp -d "$state/work.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT
trap 'exit 2' INT TERM HUP
mkdir -p "$work/summaries" || exit 2
pwd >"$work/cwd" || exit 2

# args STEP ARG...: the options of STEP's tool, for every shard of it.
args() {
	local step=$1
	shift
	[ $# = 0 ] || printf '%s\0' "$@" >"$work/$step.args" || note 2
}
# run STEP N [STEP N]...: the N shards of each STEP on the engine, at the
# same time, until all have ended (GNU parallel: one job list, at most
# JOBS at once; slurm and hadoop: one array or job per step).
run() {
	local step n k pids=() steps=()
	case $engine in
	parallel)
		while [ $# -ge 2 ]; do
			step=$1 n=$2 k=1
			shift 2
			while [ $k -le "$n" ]; do
				printf '%q ' "$self" --job "$step" "$k/$n" "$work" "$sst"
				echo
				k=$((k + 1))
			done
		done >"$work/jobs"
		parallel --will-cite --halt never ${jobs:+-j "$jobs"} \
		    ${logins:+--sshlogin "$logins"} <"$work/jobs" ;;
	slurm)
		while [ $# -ge 2 ]; do
			step=$1 n=$2
			shift 2
			# shellcheck disable=SC2086
			CEBTOOLS_LIBEXEC=$here sbatch --wait --array=1-"$n" \
			    --job-name="cebtools-$step" \
			    --output="$work/$step-%a.slurm" ${SBATCH_OPTIONS:-} \
			    "$here/slurm-shard.sh" "$step" "$work" "$sst" &
			pids+=($!)
		done
		wait "${pids[@]}"
		cat "$work"/*.slurm 2>/dev/null
		rm -f "$work"/*.slurm ;;
	hadoop)
		while [ $# -ge 2 ]; do
			step=$1 n=$2
			shift 2
			steps+=("$step")
			seq 1 "$n" >"$work/$step.shards"
			hadoop jar "$HADOOP_STREAMING" -D mapreduce.job.reduces=0 \
			    -D mapreduce.input.lineinputformat.linespermap=1 \
			    -D mapreduce.map.maxattempts=1 \
			    -D mapreduce.job.name="cebtools-$step" \
			    -inputformat org.apache.hadoop.mapred.lib.NLineInputFormat \
			    -input "file://$work/$step.shards" \
			    -output "file://$work/$step.hadoop" \
			    -mapper "$here/hadoop-shard-map.sh $step $n $work $sst" \
			    -cmdenv "PATH=$PATH" &
			pids+=($!)
		done
		wait "${pids[@]}"
		for step in "${steps[@]}"; do
			cat "$work/$step.hadoop"/part-* 2>/dev/null
		done ;;
	esac
	return 0
}
# collect STEP N: each shard's status into the night's (a shard with no
# status did not run; a status above 2 counts as 2), its messages shown.
collect() {
	local step=$1 n=$2 k=1 s
	while [ $k -le "$n" ]; do
		s=$(cat "$work/status/$step-$k" 2>/dev/null)
		case $s in
		0 | 1 | 2) note "$s" ;;
		'') log "sharded-night.sh: $step shard $k/$n did not run ($engine)" >&2
		    note 2 ;;
		*) note 2 ;;
		esac
		k=$((k + 1))
	done
}

log "== 1. merging and validating $day"
ceb-cat -r "$out/cat.csv" "$day" >"$work/day.xml"
note $?
ceb-validate ${TRUST:+--trust "$TRUST"} -r "$out/validate.csv" \
    -R "$out/receipts" "$work/day.xml" >"$work/valid.xml"
note $?
manifests=()
for m in "$day"/manifest*.csv "$day"/manifest*.xml; do
	[ -f "$m" ] && manifests+=(-m "$m")
done

log "== 2. 三单对碰 in $shards shards, manifest write-off ($engine${logins:+ on $logins})"
# shellcheck disable=SC2086
args reconcile $payer
args writeoff -g "$grace" "${manifests[@]}"
run reconcile "$shards" writeoff 1
collect reconcile "$shards"
collect writeoff 1

log "== 3. personal quota in $shards shards"
run quota "$shards"
collect quota "$shards"

log "== 4. merging the shards"
merge() {	# merge NAME: one header, then each shard's rows in shard order
	local k=1 f first=1
	while [ $k -le "$shards" ]; do
		f=$work/$1-$k.csv
		if [ -f "$f" ]; then
			if [ $first = 1 ]; then cat "$f"; first=0; else tail -n +2 "$f"; fi
			cp "$f" "$out/shards/"
		else
			log "sharded-night.sh: shard $k/$shards wrote no $1 report" >&2
			note 2
		fi
		k=$((k + 1))
	done >"$out/$1.csv"
}
merge reconcile
merge quota
k=1
while [ $k -le "$shards" ]; do
	cat "$work/accepted-$k.xml" || note 2
	k=$((k + 1))
done >"$out/accepted.xml"
[ -f "$work/writeoff.csv" ] && cp "$work/writeoff.csv" "$out/"
cp -R "$work/summaries" "$out/" || note 2

night_end "$out"
