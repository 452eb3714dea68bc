#!/bin/bash
# night-common.sh: the start and the end of a night that nightly.sh and
# sharded-night.sh share.  Both source it from the folder they are in
# (installed together under $(libexecdir)/cebtools); run alone it does
# nothing and exits 2.
#
#   log TEXT...           one line on stdout, starting with the time
#                         (YYYY-MM-DD HH:MM:SS +ZONE)
#   night_settings NAME   the settings of the environment, checked:
#                         state (CEBTOOLS_STATE, default /var/lib/cebtools),
#                         grace (GRACE, default 2), payer ("-p" when
#                         PAYER_IS_BUYER is 1, the default; "" when 0);
#                         anything else: NAME says why, exit 2
#   night_start NAME DAY  DAY must be a folder; umask 077; the state folder
#                         made (and made absolute); the night's lock,
#                         $state/nightly.lock, taken on fd 9 for as long as
#                         the script runs: if another night holds it, NAME
#                         says so and the script exits 2 at once
#   note STATUS           the night's status, worst: the worst so far
#   night_end OUT         the findings of OUT's reports by rule and
#                         severity, the number of accepted inventories
#                         (OUT/accepted.xml), then exit with the night's
#                         status (0 all passed, 1 findings, 2 trouble)
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	echo "night-common.sh: sourced by nightly.sh and sharded-night.sh, not run" >&2
	exit 2
fi

log() { printf '%s %s\n' "$(date '+%Y-%m-%d %H:%M:%S %z')" "$*"; }

worst=0
note() { [ "$1" -gt "$worst" ] && worst=$1; return 0; }

night_settings() {
	state=${CEBTOOLS_STATE:-/var/lib/cebtools}
	grace=${GRACE:-2}
	case ${PAYER_IS_BUYER:-1} in
	1) payer=-p ;;
	0) payer= ;;
	*) log "$1: PAYER_IS_BUYER must be 1 or 0, not $PAYER_IS_BUYER" >&2
	   exit 2 ;;
	esac
}

night_start() {
	[ -d "$2" ] || { log "$1: $2: not a directory" >&2; exit 2; }
	umask 077
	mkdir -p "$state" || exit 2
	state=$(cd "$state" && pwd) || exit 2
	# One night at a time on this state, whichever script runs it.
	exec 9>>"$state/nightly.lock" || exit 2
	if ! flock -n 9; then
		log "$1: another night is running on $state" \
		    "(it holds $state/nightly.lock); not starting" >&2
		exit 2
	fi
}

night_end() {
	local out=$1 r l n
	log "== findings of the night, by rule and severity"
	for r in validate reconcile quota writeoff; do
		[ -f "$out/$r.csv" ] && sed 1d "$out/$r.csv"
	done | awk -F, '{ print $9 " " $10 }' | sort | uniq -c |
	    while IFS= read -r l; do log "$l"; done
	note $?
	n=$(ceb-cat -q -l -t 621 "$out/accepted.xml" | sed 1d | wc -l)
	note $?
	log "== accepted inventories: $n"
	log "== results in $out (exit status $worst)"
	exit $worst
}
