#!/bin/bash
# hadoop-shard-map.sh: the mapper of a Hadoop Streaming job, map only, one
# map task per shard of one step of the sharded night
# (sharded-night.sh -E hadoop runs it, once per step):
#
#   hadoop jar $HADOOP_STREAMING -D mapreduce.job.reduces=0 \
#       -D mapreduce.input.lineinputformat.linespermap=1 \
#       -inputformat org.apache.hadoop.mapred.lib.NLineInputFormat \
#       -input file://WORK/STEP.shards -output file://WORK/STEP.hadoop \
#       -mapper "/usr/libexec/cebtools/hadoop-shard-map.sh STEP N WORK STATE"
#
# STEP.shards holds the shard numbers 1..N, one a line; NLineInputFormat
# gives each map task one line, as "OFFSET<TAB>K" on standard input.  For
# each such line the mapper runs "sharded-night.sh --job STEP K/N WORK
# STATE" (sharded-night.sh beside this script: every node has cebtools at
# the same paths) and writes "STEP<TAB>K/N<TAB>STATUS" to standard output,
# the job's output.  Exit status: 2 when a shard's status was 2 (trouble:
# Hadoop marks the task failed) or a line is not a shard of 1..N; else 0,
# findings (status 1) included -- the night reads each shard's status
# from WORK/status/STEP-K.
set -u
[ $# = 4 ] || { echo "usage: hadoop-shard-map.sh STEP N WORK STATE" >&2; exit 2; }
here=$(dirname "$0")
n=$2 rc=0 tab=$'\t'
while IFS= read -r line; do
	k=${line#*"$tab"}
	case $k in
	'' | *[!0-9]* | 0*)
		echo "hadoop-shard-map.sh: not OFFSET<TAB>SHARD: $line" >&2
		rc=2
		continue ;;
	esac
	if [ "$k" -gt "$n" ]; then
		echo "hadoop-shard-map.sh: shard $k of $n" >&2
		rc=2
		continue
	fi
	bash "$here/sharded-night.sh" --job "$1" "$k/$n" "$3" "$4" </dev/null
	s=$?
	printf '%s\t%s/%s\t%s\n' "$1" "$k" "$n" "$s"
	[ "$s" -ge 2 ] && rc=2
done
exit $rc
