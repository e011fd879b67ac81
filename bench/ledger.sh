#!/usr/bin/env bash
# Benchmark of the financial engine at national scale (issue 4, point 9):
# `voisines gen` writes a synthetic year on the real territory (every
# commune of the COG, the real adjacency, 200,000 conventions between
# neighbours and EPCI members, 5,000,000 usage records) into SQLite and into
# PostgreSQL; then `voisines ledger run` computes every convention's
# statement of 2026 on each engine, side by side with `voisines ledger run
# --baseline`, the plain SQL GROUP BY that sums the same usage (same
# binary, same client, same session settings).
#
# Each run measures the baseline and the engine back to back, so that a
# busy machine weighs on both alike; the ratio of each run is its engine
# time over its own baseline. The script prints the minimum and the median
# of $RUNS runs, and the load average before and after. "engine ms" is the
# time the command measured itself (process start excluded), "wall ms"
# includes it; RSS is the peak resident memory of the process (GNU time).
#
# Usage: bench/ledger.sh
#   VOISINES_TEST_POSTGRES  server to use (default: the local test server)
#   LEDGER_BENCH_SQLITE     reuse this generated SQLite file instead of generating
#   LEDGER_BENCH_PG         reuse this generated PostgreSQL URL (a database of its
#                           own, or a schema with search_path)
#   RUNS                    runs per figure (default 3)
#   ENGINES                 "pg sqlite" (default), or one of them
# Needs: go, GNU time (/usr/bin/time), psql; ../shared/data/communes_adjacency_2026.csv.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-3}
ENGINES=${ENGINES:-pg sqlite}
PG=${VOISINES_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}
ADJ=${ADJACENCY:-../shared/data/communes_adjacency_2026.csv}
T=$(mktemp -d)
SCHEMA=
cleanup() {
	if [[ -n $SCHEMA ]]; then psql -q "$PG" -c "DROP SCHEMA IF EXISTS $SCHEMA CASCADE" >/dev/null 2>&1 || true; fi
	rm -rf "$T"
}
trap cleanup EXIT

[[ -x /usr/bin/time ]] || { echo "bench/ledger.sh: GNU time (/usr/bin/time) is missing" >&2; exit 1; }
go build -o "$T/voisines" ./cmd/voisines
V=$T/voisines

prepare() { # prepare DSN: migrate, import the territory and the adjacency, generate
	local dsn=$1
	"$V" migrate --db "$dsn" >/dev/null
	"$V" import cog --db "$dsn" >/dev/null 2>&1
	"$V" import geo --db "$dsn" --adjacency "$ADJ" >/dev/null 2>&1
	local t0=$SECONDS
	"$V" gen --db "$dsn" >"$T/gen.json" 2>/dev/null
	echo "  generated in $((SECONDS - t0)) s: $(tr -d ' \n' <"$T/gen.json" | grep -o '"conventions":[0-9]*'), $(tr -d ' \n' <"$T/gen.json" | grep -o '"usage_records":[0-9]*')" >&2
}

declare -A DSN
if [[ " $ENGINES " == *" sqlite "* ]]; then
	DSN[sqlite]=${LEDGER_BENCH_SQLITE:-}
	if [[ -z ${DSN[sqlite]} ]]; then
		DSN[sqlite]=$T/national.db
		echo "generating the SQLite year…" >&2
		prepare "${DSN[sqlite]}"
	fi
fi
if [[ " $ENGINES " == *" pg "* ]]; then
	DSN[pg]=${LEDGER_BENCH_PG:-}
	if [[ -z ${DSN[pg]} ]]; then
		SCHEMA=ledger_bench_$$
		psql -q "$PG" -c "CREATE SCHEMA $SCHEMA"
		sep='?'; [[ $PG == *\?* ]] && sep='&'
		DSN[pg]="$PG${sep}search_path=$SCHEMA"
		echo "generating the PostgreSQL year…" >&2
		prepare "${DSN[pg]}"
		psql -q "$PG" -c "SET search_path = $SCHEMA; ANALYZE" >/dev/null
	fi
fi

# one DSN ARGS...: run voisines ledger run once; print "engine_ms wall_ms rss_kib".
one() {
	local dsn=$1
	shift
	/usr/bin/time -f '%e %M' -o "$T/time" "$V" ledger run --year 2026 --db "$dsn" "$@" >"$T/out.json"
	local wall rss engine
	read -r wall rss <"$T/time"
	engine=$(tr -d ' \n' <"$T/out.json" | grep -o '"elapsed_ms":[0-9]*' | cut -d: -f2)
	echo "$engine $(awk "BEGIN{printf \"%d\", $wall*1000}") $rss"
}

declare -A engine wall rss ratio # "NAME" → space-separated values, one per run
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for i in $(seq "$RUNS"); do
	for e in $ENGINES; do
		read -r be bw br <<<"$(one "${DSN[$e]}" --baseline)"
		read -r ee ew er <<<"$(one "${DSN[$e]}")"
		engine[${e}_baseline]+="$be " wall[${e}_baseline]+="$bw " rss[${e}_baseline]+="$br "
		engine[${e}_engine]+="$ee " wall[${e}_engine]+="$ew " rss[${e}_engine]+="$er "
		ratio[$e]+="$(awk "BEGIN{printf \"%.3f\", $ee/$be}") "
		echo "  run $i/$RUNS $e: baseline $be ms, engine $ee ms, ratio $(awk "BEGIN{printf \"%.2f\", $ee/$be}"), load $(cut -d' ' -f1 /proc/loadavg)" >&2
	done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# stat "VALUES" → "min median max"
stat() { tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{v[NR]=$1} END{m=(NR%2)?v[(NR+1)/2]:(v[NR/2]+v[NR/2+1])/2; printf "%s %s %s", v[1], m, v[NR]}'; }

echo
echo "Financial engine, national year 2026 ($RUNS runs; $(nproc) CPUs; load before $load_before, after $load_after)"
printf '%-44s %17s %17s %14s\n' "" "engine ms min/med" "wall ms min/med" "peak RSS MiB"
for e in $ENGINES; do
	for what in baseline engine; do
		name=${e}_$what
		label=${e/pg/PostgreSQL}
		label=${label/sqlite/SQLite}
		if [[ $what == baseline ]]; then label+=" GROUP BY of the usage (baseline)"; else label+=" all statements (engine)"; fi
		read -r emin emed _ <<<"$(stat "${engine[$name]}")"
		read -r wmin wmed _ <<<"$(stat "${wall[$name]}")"
		read -r _ _ rmax <<<"$(stat "${rss[$name]}")"
		printf '%-44s %8d /%7d %8d /%7d %14d\n' "$label" "$emin" "$emed" "$wmin" "$wmed" "$((rmax / 1024))"
	done
done
echo
for e in $ENGINES; do
	read -r rmin rmed rmax <<<"$(stat "${ratio[$e]}")"
	read -r emin _ <<<"$(stat "${engine[${e}_engine]}")"
	read -r bmin _ <<<"$(stat "${engine[${e}_baseline]}")"
	case $e in
	pg) printf 'PostgreSQL: engine / baseline, run by run: min %.2f, median %.2f, max %.2f; best / best %.2f (target ≤ 1.5, < 5 s, < 1 GiB)\n' \
		"$rmin" "$rmed" "$rmax" "$(awk "BEGIN{print $emin/$bmin}")" ;;
	sqlite) printf 'SQLite: engine / its own GROUP BY, run by run: min %.2f, median %.2f, max %.2f\n' "$rmin" "$rmed" "$rmax" ;;
	esac
done
