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
# Each figure is the best of $RUNS runs; the runs alternate so that a busy
# machine weighs on every side alike. Wall time includes process start;
# "engine ms" is the time the command measured itself; RSS is the peak
# resident memory of the process (GNU time).
#
# Usage: bench/ledger.sh
#   VOISINES_TEST_POSTGRES  server to use (default: the local test server)
#   LEDGER_BENCH_SQLITE     reuse this generated SQLite file instead of generating
#   LEDGER_BENCH_PG         reuse this generated PostgreSQL URL (with search_path)
#   RUNS                    runs per figure (default 5)
# Needs: go, GNU time (/usr/bin/time), psql; ../shared/data/communes_adjacency_2026.csv.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-5}
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

SQLITE=${LEDGER_BENCH_SQLITE:-}
if [[ -z $SQLITE ]]; then
	SQLITE=$T/national.db
	echo "generating the SQLite year…" >&2
	prepare "$SQLITE"
fi
PGDSN=${LEDGER_BENCH_PG:-}
if [[ -z $PGDSN ]]; then
	SCHEMA=ledger_bench_$$
	psql -q "$PG" -c "CREATE SCHEMA $SCHEMA"
	sep='?'; [[ $PG == *\?* ]] && sep='&'
	PGDSN="$PG${sep}search_path=$SCHEMA"
	echo "generating the PostgreSQL year…" >&2
	prepare "$PGDSN"
	psql -q "$PG" -c "SET search_path = $SCHEMA; ANALYZE" >/dev/null
fi

# one NAME ARGS...: run voisines ledger run ARGS once; print "wall_ms engine_ms rss_kib".
one() {
	shift
	/usr/bin/time -f '%e %M' -o "$T/time" "$V" ledger run --year 2026 "$@" >"$T/out.json"
	local wall rss engine
	read -r wall rss <"$T/time"
	engine=$(tr -d ' \n' <"$T/out.json" | grep -o '"elapsed_ms":[0-9]*' | cut -d: -f2)
	echo "$(awk "BEGIN{printf \"%d\", $wall*1000}") $engine $rss"
}

declare -A best_wall best_engine best_rss
record() { # record NAME "wall engine rss"
	local name=$1 wall engine rss
	read -r wall engine rss <<<"$2"
	if [[ -z ${best_wall[$name]:-} ]] || ((engine < best_engine[$name])); then
		best_wall[$name]=$wall best_engine[$name]=$engine
	fi
	if [[ -z ${best_rss[$name]:-} ]] || ((rss > best_rss[$name])); then best_rss[$name]=$rss; fi
}

for i in $(seq "$RUNS"); do
	record pg_engine "$(one pg --db "$PGDSN")"
	record pg_baseline "$(one pg --db "$PGDSN" --baseline)"
	record sqlite_engine "$(one sqlite --db "$SQLITE")"
	record sqlite_baseline "$(one sqlite --db "$SQLITE" --baseline)"
	echo "  run $i/$RUNS done" >&2
done

echo
echo "Financial engine, national year 2026 (best of $RUNS runs; $(nproc) CPUs; load $(cut -d' ' -f1-3 /proc/loadavg))"
printf '%-46s %10s %10s %12s\n' "" "engine ms" "wall ms" "peak RSS MiB"
for name in pg_baseline pg_engine sqlite_baseline sqlite_engine; do
	label=${name/pg_/PostgreSQL }
	label=${label/sqlite_/SQLite }
	label=${label/baseline/GROUP BY of the usage (baseline)}
	label=${label/engine/all statements (engine)}
	printf '%-46s %10d %10d %12d\n' "$label" "${best_engine[$name]}" "${best_wall[$name]}" "$((best_rss[$name] / 1024))"
done
echo
awk -v e="${best_engine[pg_engine]}" -v b="${best_engine[pg_baseline]}" \
	'BEGIN{printf "PostgreSQL: engine / baseline = %.2f (target ≤ 1.5)\n", e/b}'
awk -v e="${best_engine[sqlite_engine]}" -v b="${best_engine[sqlite_baseline]}" -v p="${best_engine[pg_baseline]}" \
	'BEGIN{printf "SQLite: engine / its own GROUP BY = %.2f; engine / PostgreSQL baseline = %.2f\n", e/b, e/p}'
