# _lib.sh: helpers for the benchmark sections (sourced, not run: files
# whose names start with "_" are not sections).  tests/bench.sh sources it
# before running each tests/bench/<tool>.sh and exports BENCH_LIB with its
# path, so a section may also ". "$BENCH_LIB"" itself when run alone.
#
#   bench_measure OUT CMD...
#	Run CMD (stdout and stderr to OUT.out / OUT.err) and set
#	BENCH_SECS (wall clock), BENCH_CPU (user + system seconds) and
#	BENCH_RSS (peak resident set, KiB) and BENCH_STATUS.  Uses
#	/usr/bin/time -f when it is there; otherwise the wall clock from
#	date +%s.%N and the peak from polling /proc/PID/status VmHWM (an
#	approximation, said so in the row's note).
#   bench_row TOOL CASE BASELINE MESSAGES BYTES [NOTE]
#	Print one human-readable line for the last bench_measure and append
#	a row to $BENCH_CSV.  BASELINE is the CASE name of an earlier row of
#	the same TOOL whose time is the ratio's denominator, or "-" when the
#	row is itself a baseline.
#
# CSV columns (bench-results.csv in the build directory, appended, so that
# runs can be compared): run,host,commit,n,tool,case,messages,bytes,
# seconds,cpu_seconds,msgs_per_s,mb_per_s,peak_rss_kb,baseline,ratio,note.
# run is the UTC start of the make bench run; ratio = seconds of this row /
# seconds of the baseline row (1.00 for a baseline).  No row is a pass or
# a fail: benchmarks measure, they do not judge.

BENCH_CSV=${BENCH_CSV:-bench-results.csv}
BENCH_RUN=${BENCH_RUN:-$(date -u +%Y-%m-%dT%H:%M:%SZ)}
BENCH_NOTE=

bench_measure() {
	_o=$1
	shift
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f "%e %U %S %M %x" -o "$_o.time" "$@" \
		    >"$_o.out" 2>"$_o.err"
		# time writes "Command exited with non-zero status N" first
		# when CMD fails: the figures are on the last line.
		_t=$(tail -n 1 "$_o.time")
		read -r BENCH_SECS _u _s BENCH_RSS BENCH_STATUS <<-EOF
		$_t
		EOF
		BENCH_CPU=$(echo "$_u $_s" | awk '{ printf "%.2f", $1 + $2 }')
		BENCH_NOTE=
	else
		_t0=$(date +%s.%N)
		"$@" >"$_o.out" 2>"$_o.err" &
		_pid=$!
		BENCH_RSS=0
		while kill -0 "$_pid" 2>/dev/null; do
			_m=$(awk '/^VmHWM:/ { print $2 }' "/proc/$_pid/status" \
			    2>/dev/null)
			[ -n "$_m" ] && [ "$_m" -gt "$BENCH_RSS" ] && BENCH_RSS=$_m
			sleep 0.05
		done
		wait "$_pid"
		BENCH_STATUS=$?
		_t1=$(date +%s.%N)
		BENCH_SECS=$(echo "$_t0 $_t1" | awk '{ printf "%.2f", $2 - $1 }')
		BENCH_CPU=
		BENCH_NOTE="no /usr/bin/time: RSS polled from /proc"
	fi
}

# seconds of TOOL CASE in this run (for ratios), from the rows so far
_bench_secs_of() {
	awk -F, -v r="$BENCH_RUN" -v t="$1" -v c="$2" \
	    '$1 == r && $5 == t && $6 == c { s = $9 } END { print s }' \
	    "$BENCH_CSV" 2>/dev/null
}

bench_row() {
	_tool=$1 _case=$2 _base=$3 _msgs=$4 _bytes=$5
	_note=${6:-$BENCH_NOTE}
	if [ ! -s "$BENCH_CSV" ]; then
		echo "run,host,commit,n,tool,case,messages,bytes,seconds,cpu_seconds,msgs_per_s,mb_per_s,peak_rss_kb,baseline,ratio,note" \
		    >"$BENCH_CSV"
	fi
	_bs=
	if [ "$_base" != "-" ]; then
		_bs=$(_bench_secs_of "$_tool" "$_base")
		[ -z "$_bs" ] && _bs=0
	fi
	_host=$(uname -n 2>/dev/null | tr -d ',')
	_commit=$(git -C "${top_srcdir:-.}" rev-parse --short HEAD 2>/dev/null)
	echo "$BENCH_RUN,$_host,$_commit,${BENCH_N:-},$_tool,$_case,$_msgs,$_bytes,$BENCH_SECS,$BENCH_CPU,$BENCH_RSS,$_base,$_bs,$(echo "$_note" | tr -d ',')" |
	    awk -F, -v OFS=, '{
		secs = $9 + 0
		mps = secs > 0 ? $7 / secs : 0
		mbs = secs > 0 ? $8 / 1048576 / secs : 0
		ratio = $13 == "" ? "1.00" : ($13 > 0 ? sprintf("%.2f", secs / $13) : "")
		print $1, $2, $3, $4, $5, $6, $7, $8, $9, $10,
		    sprintf("%.0f", mps), sprintf("%.1f", mbs), $11, $12,
		    ratio, $14
	}' >>"$BENCH_CSV"
	tail -n 1 "$BENCH_CSV" | awk -F, '{
		printf "  %-22s %-24s %8.2f s %10s msg/s %7s MB/s  peak %7.1f MB  ratio %s%s\n",
		    $5, $6, $9, $11, $12, $13 / 1024, $15,
		    ($14 != "-" ? " (vs " $14 ")" : " (baseline)")
	}'
	[ -n "$_note" ] && echo "    note: $_note"
	[ "$BENCH_STATUS" -gt 1 ] 2>/dev/null &&
	    echo "    exit status $BENCH_STATUS: $(head -n 1 "$_o.err" 2>/dev/null)"
	return 0
}
