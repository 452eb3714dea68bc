#!/bin/bash
# sharded-night.sh: the night of nightly.sh with its import leg split into
# N shards (--shard K/N of ceb-reconcile and ceb-quota-check) that GNU
# parallel runs as local jobs or on other hosts, then merged.
#
#   sharded-night.sh [-n SHARDS] [-j JOBS] [-S SSHLOGINS] DAYDIR [OUTDIR]
#
#   -n SHARDS     how many shards (default 4).  Keep it from night to
#                 night: a shard's state (its waiting documents, the quota
#                 ledger of its buyers) lives under $CEBTOOLS_STATE/shards-N
#                 and another N starts from empty state.
#   -j JOBS       jobs at once on each host (default: one per core)
#   -S SSHLOGINS  GNU parallel's --sshlogin: run the shards on these hosts
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
# parallel runs each shard as "sharded-night.sh --job STEP K/N WORK STATE
# [TOOL OPTIONS]"; that form is for parallel, not for people.
set -u
set -o pipefail
log() { printf '%s %s\n' "$(date '+%Y-%m-%d %H:%M:%S %z')" "$*"; }
self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")

if [ "${1:-}" = --job ]; then
	# One shard of one step.  Its status is the tool's.
	step=$2 shard=$3 work=$4 st=$5
	shift 5
	k=${shard%/*}
	case $step in
	reconcile)
		exec ceb-reconcile "$@" --shard "$shard" -s "$st/reconcile-$k" \
		    -r "$work/reconcile-$k.csv" "$work/valid.xml" \
		    >"$work/reconciled-$k.xml" ;;
	quota)
		in=() i=1
		while [ $i -le "${shard#*/}" ]; do
			in+=("$work/reconciled-$i.xml")
			i=$((i + 1))
		done
		exec ceb-quota-check --shard "$shard" --ledger "$st/quota-$k.db" \
		    -r "$work/quota-$k.csv" "${in[@]}" >"$work/accepted-$k.xml" ;;
	writeoff)
		exec ceb-manifest-writeoff "$@" -s "$st/writeoff" \
		    --summary "$work/summaries" -r "$work/writeoff.csv" \
		    "$work/valid.xml" >/dev/null ;;
	esac
	echo "sharded-night.sh: --job: unknown step $step" >&2
	exit 2
fi

usage() {
	echo "usage: sharded-night.sh [-n shards] [-j jobs] [-S sshlogins] DAYDIR [OUTDIR]" >&2
	exit 2
}
shards=4 jobs= logins=
while getopts n:j:S: o; do
	case $o in
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
state=${CEBTOOLS_STATE:-/var/lib/cebtools}
grace=${GRACE:-2}
case ${PAYER_IS_BUYER:-1} in
1) payer=-p ;;
0) payer= ;;
*) log "sharded-night.sh: PAYER_IS_BUYER must be 1 or 0, not $PAYER_IS_BUYER" >&2
   exit 2 ;;
esac
[ -d "$day" ] || { log "sharded-night.sh: $day: not a directory" >&2; exit 2; }
command -v parallel >/dev/null ||
    { log "sharded-night.sh: GNU parallel not found (Debian: parallel)" >&2; exit 2; }
umask 077
mkdir -p "$state" || exit 2
state=$(cd "$state" && pwd)

# One night at a time on this state (the same lock as nightly.sh).
exec 9>>"$state/nightly.lock" || exit 2
if ! flock -n 9; then
	log "sharded-night.sh: another night is running on $state" \
	    "(it holds $state/nightly.lock); not starting" >&2
	exit 2
fi

out=${2:-$state/nights/$(basename "$day")-$(date +%Y%m%dT%H%M%S)}
mkdir -p "$out/receipts" "$out/shards" "$state/shards-$shards" || exit 2
out=$(cd "$out" && pwd)
sst=$state/shards-$shards
# The work folder is under the state: with -S the hosts must see it.
work=$(mktemp -d "$state/work.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT
trap 'exit 2' INT TERM HUP
mkdir -p "$work/summaries" || exit 2

worst=0
note() { [ "$1" -gt "$worst" ] && worst=$1; return 0; }
# run_jobs NAME: the job lines of $work/NAME through GNU parallel; each
# job's exit status (a signal, or a status above 2, counts as 2) into the
# night's.
run_jobs() {
	local name=$1 st
	parallel --will-cite --halt never ${jobs:+-j "$jobs"} \
	    ${logins:+--sshlogin "$logins"} --joblog "$work/$name.jobs" \
	    <"$work/$name" >"$work/$name.out" 2>&1
	st=$?
	cat "$work/$name.out"
	[ -s "$work/$name.jobs" ] || { note 2; return; }
	# Joblog: Seq Host Starttime JobRuntime Send Receive Exitval Signal Command
	while read -r _ _ _ _ _ _ ev sig _; do
		[ "$ev" = Exitval ] && continue
		if [ "$sig" != 0 ] || [ "$ev" -gt 2 ]; then note 2; else note "$ev"; fi
	done <"$work/$name.jobs"
	[ "$st" -gt 0 ] && [ "$worst" = 0 ] && note 2
	return 0
}
job() {	# job ARGS...: one command line for parallel
	printf '%q ' "$self" --job "$@"
	echo
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

log "== 2. 三单对碰 in $shards shards, manifest write-off (GNU parallel${logins:+ on $logins})"
{
	k=1
	while [ $k -le "$shards" ]; do
		job reconcile "$k/$shards" "$work" "$sst" $payer
		k=$((k + 1))
	done
	job writeoff 1/1 "$work" "$sst" -g "$grace" "${manifests[@]}"
} >"$work/step2"
run_jobs step2

log "== 3. personal quota in $shards shards"
k=1
while [ $k -le "$shards" ]; do
	job quota "$k/$shards" "$work" "$sst"
	k=$((k + 1))
done >"$work/step3"
run_jobs step3

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

log "== findings of the night, by rule and severity"
for r in validate reconcile quota writeoff; do
	[ -f "$out/$r.csv" ] && sed 1d "$out/$r.csv"
done | awk -F, '{ print $9 " " $10 }' | sort | uniq -c | while IFS= read -r l
do log "$l"; done
note $?
n=$(ceb-cat -q -l -t 621 "$out/accepted.xml" | sed 1d | wc -l)
note $?
log "== accepted inventories: $n"
log "== results in $out (exit status $worst)"
exit $worst
