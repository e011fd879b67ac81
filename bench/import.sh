#!/usr/bin/env bash
# Benchmark of `voisines import cog` (the shipped territory) against each
# engine's own bulk load of the same rows:
#   - SQLite: our import into a fresh database, then the sqlite3 shell's
#     `.import --csv` of the very rows it wrote into an equivalent fresh database;
#   - PostgreSQL: the same with psql's `\copy … FROM` (COPY) into a fresh schema.
# Each figure is the best of $RUNS runs (wall time, process start included for
# both sides); the runs of the two sides alternate, so that a busy machine
# weighs on both alike. Then the Go benchmark of the neighbour search (every commune's
# neighbours within 20 km).
#
# Usage: bench/import.sh            (PostgreSQL from VOISINES_TEST_POSTGRES, or
#                                    the local server; skipped when unreachable)
# Needs: go, sqlite3, psql.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-7}
PG=${VOISINES_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}
T=$(mktemp -d)
SCHEMAS=()
cleanup() {
	for s in "${SCHEMAS[@]}"; do psql -q "$PG" -c "DROP SCHEMA IF EXISTS $s CASCADE" >/dev/null 2>&1 || true; done
	rm -rf "$T"
}
trap cleanup EXIT

for tool in go sqlite3; do
	command -v "$tool" >/dev/null || { echo "bench/import.sh: $tool is missing" >&2; exit 1; }
done
if [[ -n ${VOISINES_BIN:-} ]]; then
	cp "$VOISINES_BIN" "$T/voisines"
else
	go build -o "$T/voisines" ./cmd/voisines
fi

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# time_ms SETUP CMD...: run SETUP, then CMD, and print CMD's wall time in ms.
time_ms() {
	local setup=$1; shift
	$setup
	local t0; t0=$(now_ms)
	"$@" >/dev/null 2>"$T/stderr" || { cat "$T/stderr" >&2; exit 1; }
	echo $(( $(now_ms) - t0 ))
}
# pair NAME SETUP_A CMD_A SETUP_B CMD_B: run A and B alternately $RUNS times and
# set NAME_a and NAME_b to their best times.
pair() {
	local name=$1 sa=$2 ca=$3 sb=$4 cb=$5 a= b= t
	for _ in $(seq "$RUNS"); do
		t=$(time_ms "$sa" "$ca") && [[ -n $t ]] || exit 1
		if [[ -z $a || $t -lt $a ]]; then a=$t; fi
		t=$(time_ms "$sb" "$cb") && [[ -n $t ]] || exit 1
		if [[ -z $b || $t -lt $b ]]; then b=$t; fi
	done
	printf -v "${name}_a" '%s' "$a"
	printf -v "${name}_b" '%s' "$b"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f×", a / b }'; }

TABLES=(regions departements epcis communes commune_populations organisations)

# --- SQLite -------------------------------------------------------------------
sqlite_ours_setup() { rm -f "$T"/ours.db*; "$T/voisines" migrate --db "$T/ours.db" >/dev/null; }
sqlite_ours_cmd() { "$T/voisines" import cog --db "$T/ours.db"; }
sqlite_ours_setup
sqlite_ours_cmd >/dev/null 2>&1
rows=0
for t in "${TABLES[@]}"; do
	sqlite3 -csv "$T/ours.db" "SELECT * FROM $t" >"$T/$t.csv"
	rows=$(( rows + $(wc -l <"$T/$t.csv") ))
done
# The equivalent tables: the same schema, except that a UNIQUE constraint on a
# nullable column becomes a plain index of the same column, because `.import`
# writes NULLs as empty strings (which UNIQUE would refuse). The shell runs
# with foreign keys off; our import checks them.
"$T/voisines" migrate --db "$T/schema.db" >/dev/null
{
	echo "PRAGMA journal_mode=WAL;"
	for t in "${TABLES[@]}"; do sqlite3 "$T/schema.db" ".schema $t" | grep -v '^CREATE INDEX'; done \
		| sed -E 's/ TEXT UNIQUE/ TEXT/'
	for t in "${TABLES[@]}"; do sqlite3 "$T/schema.db" ".schema $t" | grep '^CREATE INDEX' || true; done
	echo "CREATE INDEX floor_communes_siren ON communes (siren);"
	echo "CREATE INDEX floor_org_siren ON organisations (siren);"
	echo "CREATE INDEX floor_org_commune ON organisations (commune_code);"
	echo "CREATE INDEX floor_org_epci ON organisations (epci_siren);"
} >"$T/floor.sql"
sqlite_floor_setup() { rm -f "$T"/floor.db*; sqlite3 "$T/floor.db" <"$T/floor.sql" >/dev/null; }
sqlite_floor_cmd() {
	local args=(-cmd "PRAGMA synchronous=NORMAL")
	for t in "${TABLES[@]}"; do args+=(".import --csv $T/$t.csv $t"); done
	sqlite3 "$T/floor.db" "${args[@]}"
}
pair sqlite sqlite_ours_setup sqlite_ours_cmd sqlite_floor_setup sqlite_floor_cmd
sqlite_ours=$sqlite_a sqlite_floor=$sqlite_b
check=$(sqlite3 "$T/floor.db" "SELECT (SELECT COUNT(*) FROM communes) || ' communes, ' || (SELECT COUNT(*) FROM commune_populations) || ' populations'")

printf '\nCOG import (shipped territory, %d rows in %d tables), best of %d\n\n' "$rows" "${#TABLES[@]}" "$RUNS"
printf '%-12s %14s %22s %8s %8s\n' engine "voisines (ms)" "engine bulk load (ms)" ratio target
printf '%-12s %14d %22d %8s %8s\n' sqlite "$sqlite_ours" "$sqlite_floor" "$(ratio "$sqlite_ours" "$sqlite_floor")" "≤ 2×"

# --- PostgreSQL ---------------------------------------------------------------
if command -v psql >/dev/null && psql -q "$PG" -c 'SELECT 1' >/dev/null 2>&1; then
	id=$$
	with_schema() { # URL with search_path for pgx
		case $PG in *\?*) echo "$PG&search_path=$1" ;; *) echo "$PG?search_path=$1" ;; esac
	}
	pg_ours_setup() {
		psql -q "$PG" -c "DROP SCHEMA IF EXISTS bench_ours_$id CASCADE" -c "CREATE SCHEMA bench_ours_$id" >/dev/null 2>&1
		"$T/voisines" migrate --db "$(with_schema "bench_ours_$id")" >/dev/null
	}
	SCHEMAS+=("bench_ours_$id" "bench_floor_$id")
	pg_ours_cmd() { "$T/voisines" import cog --db "$(with_schema "bench_ours_$id")"; }
	pg_ours_setup
	pg_ours_cmd >/dev/null 2>&1
	for t in "${TABLES[@]}"; do
		PGOPTIONS="-c search_path=bench_ours_$id" psql -q "$PG" -c "\\copy $t TO '$T/pg_$t.csv' WITH (FORMAT csv)"
	done
	pg_floor_setup() {
		psql -q "$PG" -c "DROP SCHEMA IF EXISTS bench_floor_$id CASCADE" -c "CREATE SCHEMA bench_floor_$id" >/dev/null 2>&1
		"$T/voisines" migrate --db "$(with_schema "bench_floor_$id")" >/dev/null
	}
	pg_floor_cmd() {
		local args=()
		for t in "${TABLES[@]}"; do args+=(-c "\\copy $t FROM '$T/pg_$t.csv' WITH (FORMAT csv)"); done
		PGOPTIONS="-c search_path=bench_floor_$id" psql -q "$PG" "${args[@]}"
	}
	pair pg pg_ours_setup pg_ours_cmd pg_floor_setup pg_floor_cmd
	pg_ours=$pg_a pg_floor=$pg_b
	printf '%-12s %14d %22d %8s %8s\n' postgres "$pg_ours" "$pg_floor" "$(ratio "$pg_ours" "$pg_floor")" "≤ 1.5×"
else
	echo "postgres: skipped (no server at VOISINES_TEST_POSTGRES or the local default)"
fi
echo "(floor check: $check)"

# --- Neighbour search -----------------------------------------------------------
echo
echo "Neighbour search: every commune's neighbours within 20 km (Go benchmark, SQLite)"
go test ./internal/territory/ -run '^$' -bench 'BenchmarkWithin20kmAllCommunes' -benchtime 3x -count 1 \
	| grep -E '^(Benchmark|ok|FAIL)'
