// Command bookings measures booking throughput over HTTP: many concurrent
// clients, each logged in with its own session, post bookings to the real
// Voisines handler (server.New: sessions, CSRF, audit log, the slot table)
// on a loopback port, on SQLite and on PostgreSQL; then the same load
// against a bare net/http handler that only decodes the body, as the
// ceiling of the client and the HTTP stack on this machine.
//
// Each measurement runs twice by default (-rates 0,2250): once as a closed
// loop, every client sending its next request as soon as the last is
// answered, which finds the most bookings per second the machine can
// accept; its latency is then set by the queue of 64 clients (on average
// 64 / throughput, by Little's law), not by the server alone. Then paced
// at 2,250 requests per second (2,025 bookings to accept, since one request
// in ten must be refused) offered by the same 64 clients: request i is due
// at start + i/rate and its latency counts from then, so a server that
// falls behind is charged for the requests it kept waiting. That is the
// latency a user sees at that load.
//
// Each run first sends its load for -warmup (1 s) without counting it: the
// clients' connections open, the server's statement and page caches fill
// and its heap grows to its working size. The figures are those of the
// steady state that follows (errors excepted: one during the warm-up still
// counts).
//
// The clients run in a process of their own (clients.go), unless
// -clients-in-process, and each speaks HTTP/1.1 on a keep-alive connection
// of its own, as wrk does, so that the load generator leaves the cores to
// the server. -bare=false leaves the bare handler out.
//
// Every tenth request asks again for a slot already taken and must get a
// 409; the others ask for free slots and must be accepted. At the end the
// bookings table is checked for overlapping active bookings, straight from
// the table (not through the slot table that enforces the rule).
//
// Usage (from the repository root):
//
//	go run ./bench/bookings                       # SQLite, then PostgreSQL if reachable
//	go run ./bench/bookings -engines sqlite -clients 64 -requests 20000 -duration 15s
//	go run ./bench/bookings -engines sqlite -duration 8s -runs 5   # min and median of 5 runs
//	go run ./bench/bookings -engines sqlite -rates 0,1000,2000,3000  # a closed loop, then three paces
//
// On a machine shared with other work, one run says little: -runs repeats
// each measurement, alternating the engines and the bare handler, notes the
// load average before each run, and ends with the minimum and median of
// each column that matters.
//
// PostgreSQL is taken from -pg, or VOISINES_TEST_POSTGRES; each run uses a
// fresh schema dropped at the end. Loads are bounded by -requests and
// -duration, and go to 127.0.0.1 only.
package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"text/tabwriter"
	"time"

	"voisines/internal/auth"
	"voisines/internal/equipment"
	"voisines/internal/org"
	"voisines/internal/server"
	"voisines/internal/store"
	"voisines/internal/territory"
)

type config struct {
	clients  int
	requests int
	duration time.Duration
	// warmup is sent before the duration and not counted: the clients'
	// connections, the server's caches and its heap settle meanwhile.
	warmup    time.Duration
	equipment int
	pg        string
	runs      int
	// rate, when not 0, paces the clients: request i is due at
	// start + i/rate, and its latency counts from then, so that a
	// server falling behind is charged for the requests it kept waiting
	// (no coordinated omission). 0 is a closed loop: each client sends its
	// next request as soon as the last is answered.
	rate float64
	// inProcess runs the clients in the server's process, as before:
	// their goroutines then share the server's scheduler.
	inProcess bool
}

// result is what one run measured.
type result struct {
	name      string
	requests  int
	accepted  int
	conflicts int
	errors    int
	elapsed   time.Duration
	latencies []time.Duration
	overlaps  int
	stored    int // active bookings in the table
	// warmAccepted counts the bookings accepted during the warm-up: they
	// are in the table too.
	warmAccepted int
	firstError   string
	load         string // load average (1 min) before the run
	// cpu is the process's CPU time (user + system, client and server
	// alike) during the load: contention from other processes stretches
	// the wall clock but not this.
	cpu time.Duration
}

// cpuTime returns the CPU time the process has used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func main() {
	var cfg config
	engines := flag.String("engines", "sqlite,postgres", "engines to measure, comma-separated")
	flag.IntVar(&cfg.clients, "clients", 64, "concurrent HTTP clients")
	flag.IntVar(&cfg.requests, "requests", 20000, "at most this many requests per run, the warm-up's included")
	flag.DurationVar(&cfg.duration, "duration", 15*time.Second, "at most this long per run, after the warm-up")
	flag.DurationVar(&cfg.warmup, "warmup", time.Second, "load sent at the start of each run and not counted (steady state only)")
	flag.IntVar(&cfg.equipment, "equipment", 16, "pieces of equipment the clients book")
	flag.StringVar(&cfg.pg, "pg", os.Getenv("VOISINES_TEST_POSTGRES"), "PostgreSQL URL")
	flag.IntVar(&cfg.runs, "runs", 1, "repeat each measurement this many times and summarise")
	rates := flag.String("rates", "0,2250", "loads to measure, comma-separated: 0 for clients as fast as answered (a closed loop), or requests per second offered at a steady pace")
	flag.StringVar(&cpuprofile, "cpuprofile", "", "write a CPU profile of the first run's load (not its set-up) to this file")
	flag.BoolVar(&cfg.inProcess, "clients-in-process", false, "run the clients in the server's process instead of a process of their own")
	bareToo := flag.Bool("bare", true, "also measure the bare net/http handler under each load")
	loadChild := flag.Bool("load-child", false, "internal: be the clients' process, reading its load from standard input")
	flag.StringVar(&tracefile, "trace", "", "write an execution trace of the first run's load to this file (go tool trace)")
	flag.Parse()
	if *loadChild {
		if err := childLoad(os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "bookings: clients:", err)
			os.Exit(1)
		}
		return
	}
	if cfg.pg == "" {
		cfg.pg = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	// The server runs in this process: collect garbage as `voisines serve`
	// does.
	server.TuneGC(os.Getenv)
	loadAverage = currentLoad3()
	ctx := context.Background()
	var results []result
	for run := 1; run <= max(cfg.runs, 1); run++ {
		suffix := ""
		if cfg.runs > 1 {
			suffix = fmt.Sprintf(" #%d", run)
		}
		for _, rate := range strings.Split(*rates, ",") {
			c := cfg
			if _, err := fmt.Sscan(strings.TrimSpace(rate), &c.rate); err != nil || c.rate < 0 {
				fmt.Fprintf(os.Stderr, "bookings: -rates: %q is not a number of requests per second\n", rate)
				os.Exit(2)
			}
			for _, engine := range strings.Split(*engines, ",") {
				load := currentLoad()
				r, err := runEngine(ctx, strings.TrimSpace(engine), c)
				if err != nil {
					fmt.Fprintf(os.Stderr, "bookings: %s: %v\n", engine, err)
					continue
				}
				r.name += pace(c) + suffix
				r.load = load
				results = append(results, r)
			}
			if !*bareToo {
				continue
			}
			load := currentLoad()
			bare, err := runBare(c)
			if err != nil {
				fmt.Fprintf(os.Stderr, "bookings: bare handler: %v\n", err)
			} else {
				bare.name += pace(c) + suffix
				bare.load = load
				results = append(results, bare)
			}
		}
	}
	report(os.Stdout, cfg, results)
	for _, r := range results {
		if r.overlaps != 0 || r.errors != 0 {
			os.Exit(1)
		}
	}
}

// pace names a run's load: nothing for a closed loop, "@ 2250/s" when
// paced.
func pace(cfg config) string {
	if cfg.rate == 0 {
		return ""
	}
	return fmt.Sprintf(" @ %.0f/s", cfg.rate)
}

// cpuprofile names the file that receives a CPU profile of the first
// load; set-up (logging 64 clients in with argon2id) is left out.
var cpuprofile string

// tracefile names the file that receives an execution trace of the first
// load: scheduling delays and waits for the writer or a read connection.
var tracefile string

// loadAverage is the machine's load before the runs: other processes on
// the machine take CPU from the benchmark.
var loadAverage = "unknown"

// currentLoad3 returns the 1, 5 and 15-minute load averages.
func currentLoad3() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}

// currentLoad returns the 1-minute load average.
func currentLoad() string { return strings.Fields(currentLoad3() + " ")[0] }

func report(w io.Writer, cfg config, results []result) {
	fmt.Fprintf(w, "%d clients over HTTP on 127.0.0.1, 2-hour bookings on %d pieces of equipment, every 10th request for a taken slot\n\n",
		cfg.clients, cfg.equipment)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "run\tload\trequests\taccepted\tconflicts (409)\terrors\tseconds\taccepted/s\trequests/s\tp50 ms\tp99 ms\tmax ms\tCPU ms/request\toverlaps\t")
	for _, r := range results {
		secs := r.elapsed.Seconds()
		slices.Sort(r.latencies)
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%.2f\t%.0f\t%.0f\t%.2f\t%.2f\t%.2f\t%.3f\t%d\t\n", r.name, r.load, r.requests, r.accepted, r.conflicts, r.errors,
			secs, float64(r.accepted)/secs, float64(r.requests)/secs, ms(pct(r.latencies, 50)), ms(pct(r.latencies, 99)),
			ms(pct(r.latencies, 100)), ms(r.cpu)/float64(max(r.requests, 1)), r.overlaps)
	}
	tw.Flush()
	if cfg.runs > 1 {
		summarise(w, results)
	}
	fmt.Fprintf(w, "\nmachine: %d CPUs, load average before the runs %s\n", runtime.NumCPU(), loadAverage)
	for _, r := range results {
		if r.firstError != "" {
			fmt.Fprintf(w, "%s: first error: %s\n", r.name, r.firstError)
		}
	}
}

// summarise prints, per measurement, the minimum and the median over its
// runs of accepted/s, p50, p99 and CPU per request (the best of accepted/s
// is its maximum: the minimum tells how bad a busy machine made it).
func summarise(w io.Writer, results []result) {
	type stats struct{ accepted, p50, p99, cpu []float64 }
	var names []string
	by := map[string]*stats{}
	for _, r := range results {
		name, _, _ := strings.Cut(r.name, " #")
		st, ok := by[name]
		if !ok {
			st = &stats{}
			by[name] = st
			names = append(names, name)
		}
		secs := r.elapsed.Seconds()
		st.accepted = append(st.accepted, float64(r.accepted)/secs)
		st.p50 = append(st.p50, ms(pct(r.latencies, 50)))
		st.p99 = append(st.p99, ms(pct(r.latencies, 99)))
		st.cpu = append(st.cpu, ms(r.cpu)/float64(max(r.requests, 1)))
	}
	median := func(v []float64) float64 {
		v = slices.Clone(v)
		slices.Sort(v)
		if n := len(v); n%2 == 0 {
			return (v[n/2-1] + v[n/2]) / 2
		}
		return v[len(v)/2]
	}
	fmt.Fprintln(w, "\nover the runs: min / median (max for accepted/s)")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "measurement\truns\taccepted/s min\tmedian\tmax\tp50 ms min\tmedian\tp99 ms min\tmedian\tCPU ms/request min\tmedian\t")
	for _, name := range names {
		st := by[name]
		fmt.Fprintf(tw, "%s\t%d\t%.0f\t%.0f\t%.0f\t%.2f\t%.2f\t%.2f\t%.2f\t%.3f\t%.3f\t\n", name, len(st.accepted),
			slices.Min(st.accepted), median(st.accepted), slices.Max(st.accepted), slices.Min(st.p50), median(st.p50),
			slices.Min(st.p99), median(st.p99), slices.Min(st.cpu), median(st.cpu))
	}
	tw.Flush()
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func pct(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := (len(sorted)*p + 99) / 100
	return sorted[min(max(i-1, 0), len(sorted)-1)]
}

// openEngine opens a fresh migrated database of the engine and returns a
// function that removes it.
func openEngine(ctx context.Context, engine string, cfg config) (*store.DB, func(), error) {
	switch engine {
	case "sqlite":
		dir, err := os.MkdirTemp("", "voisines-bench-")
		if err != nil {
			return nil, nil, err
		}
		db, err := store.Open(ctx, filepath.Join(dir, "bench.db"))
		if err != nil {
			os.RemoveAll(dir)
			return nil, nil, err
		}
		return db, func() { db.Close(); os.RemoveAll(dir) }, nil
	case "postgres":
		admin, err := sql.Open("pgx", cfg.pg)
		if err != nil {
			return nil, nil, err
		}
		if err := admin.PingContext(ctx); err != nil {
			admin.Close()
			return nil, nil, fmt.Errorf("PostgreSQL unreachable: %w", err)
		}
		var b [6]byte
		rand.Read(b[:])
		schema := "bench_" + hex.EncodeToString(b[:])
		if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
			admin.Close()
			return nil, nil, err
		}
		drop := func() { admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`); admin.Close() }
		u, err := url.Parse(cfg.pg)
		if err != nil {
			drop()
			return nil, nil, err
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		db, err := store.Open(ctx, u.String())
		if err != nil {
			drop()
			return nil, nil, err
		}
		return db, func() { db.Close(); drop() }, nil
	}
	return nil, nil, fmt.Errorf("unknown engine %q", engine)
}

func runEngine(ctx context.Context, engine string, cfg config) (result, error) {
	db, cleanup, err := openEngine(ctx, engine, cfg)
	if err != nil {
		return result{}, err
	}
	defer cleanup()
	if _, err := db.Migrate(ctx); err != nil {
		return result{}, err
	}
	orgs, users := org.New(db), auth.New(db)
	owner, err := orgs.Create(ctx, auth.System, org.NewOrganisation{Kind: org.SyndicatMixte, Name: "Syndicat propriétaire"})
	if err != nil {
		return result{}, err
	}
	requester, err := orgs.Create(ctx, auth.System, org.NewOrganisation{Kind: org.SyndicatMixte, Name: "Syndicat utilisateur"})
	if err != nil {
		return result{}, err
	}
	const password = "mot-de-passe-de-banc-d-essai"
	u, err := users.CreateUser(ctx, auth.System, auth.NewUser{Email: "banc@voisines.test", Name: "Banc d'essai", Password: password,
		Grants: []auth.Grant{{OrgID: requester.ID, Role: auth.RoleClerk}, {OrgID: owner.ID, Role: auth.RoleClerk}}})
	if err != nil {
		return result{}, err
	}
	svc := equipment.New(db)
	actor := auth.Actor{User: &u}
	ids := make([]int64, cfg.equipment)
	for i := range ids {
		e, err := svc.Create(ctx, actor, owner.ID, equipment.Details{Name: fmt.Sprintf("Gymnase %d", i+1), Kind: equipment.Gym,
			Unit: equipment.UnitHour, Approval: equipment.ApproveAutomatic, Active: true})
		if err != nil {
			return result{}, err
		}
		ids[i] = e.ID
	}
	handler, err := server.New(server.Deps{DB: db, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Territory: territory.New(db), Orgs: orgs, Auth: users})
	if err != nil {
		return result{}, err
	}
	base, stop, err := serve(handler)
	if err != nil {
		return result{}, err
	}
	defer stop()

	r, err := drive(cfg, loadSpec{Base: base, Email: "banc@voisines.test", Password: password,
		RequesterOrgID: requester.ID, EquipmentIDs: ids})
	if err != nil {
		return result{}, err
	}
	r.name = "voisines " + engine
	if err := db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM bookings a JOIN bookings b
		ON a.equipment_id = b.equipment_id AND a.id < b.id
		WHERE a.status IN ('requested', 'approved') AND b.status IN ('requested', 'approved')
		AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at`).Scan(&r.overlaps); err != nil {
		return r, err
	}
	db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM bookings WHERE status IN ('requested', 'approved')`).Scan(&r.stored)
	if r.stored != r.accepted+r.warmAccepted {
		r.firstError = fmt.Sprintf("%d bookings stored for %d accepted (%d during the warm-up)", r.stored, r.accepted+r.warmAccepted, r.warmAccepted)
		r.errors++
	}
	return r, nil
}

// load runs cfg.clients workers until cfg.requests are sent or
// cfg.duration has passed; do returns the status of one request.
//
// The first cfg.warmup of the load is sent in the same way but not counted
// (its errors excepted): a request counts when it is due (paced) or sent
// (closed loop) after the warm-up, and the CPU time and the elapsed time
// run from there. atWarm, if not nil, runs when the warm-up ends.
func load(cfg config, do func(worker, n int) (int, error), atWarm func()) result {
	var r result
	var mu sync.Mutex
	var sent, measured atomic.Int64
	var wg sync.WaitGroup
	began := time.Now()
	warm := began.Add(cfg.warmup)
	deadline := warm.Add(cfg.duration)
	var cpu0 time.Duration
	warmed := make(chan struct{})
	time.AfterFunc(cfg.warmup, func() {
		cpu0 = cpuTime()
		if atWarm != nil {
			atWarm()
		}
		close(warmed)
	})
	for w := range cfg.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lat := make([]time.Duration, 0, cfg.requests/cfg.clients+1)
			var accepted, warmAccepted, conflicts, errs int
			var first string
			for n := 0; ; n++ {
				i := sent.Add(1)
				t0 := time.Now()
				if cfg.rate > 0 {
					// Request i is due at began + (i-1)/rate, whether or
					// not a client was free then.
					t0 = began.Add(time.Duration(float64(i-1) / cfg.rate * float64(time.Second)))
				}
				if !t0.Before(deadline) {
					break
				}
				counted := !t0.Before(warm)
				if counted && measured.Add(1) > int64(cfg.requests) {
					break
				}
				time.Sleep(time.Until(t0))
				status, err := do(w, n)
				if counted {
					lat = append(lat, time.Since(t0))
				}
				switch {
				case err != nil:
					errs++
					if first == "" {
						first = err.Error()
					}
				case !counted:
					if status != http.StatusConflict {
						warmAccepted++
					}
				case status == http.StatusConflict:
					conflicts++
				default:
					accepted++
				}
			}
			mu.Lock()
			r.latencies = append(r.latencies, lat...)
			r.accepted += accepted
			r.warmAccepted += warmAccepted
			r.conflicts += conflicts
			r.errors += errs
			if r.firstError == "" {
				r.firstError = first
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	<-warmed
	r.elapsed, r.cpu = time.Since(warm), cpuTime()-cpu0
	r.requests = len(r.latencies)
	return r
}

// serve starts handler on a loopback port.
func serve(handler http.Handler) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: time.Minute}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String(), func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}, nil
}

// runBare sends the same requests to a handler that only decodes the body
// and answers 201: the ceiling of the HTTP stack and the client.
func runBare(cfg config) (result, error) {
	var n atomic.Int64
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			RequesterOrgID int64  `json:"requester_org_id"`
			StartsAt       string `json:"starts_at"`
			EndsAt         string `json:"ends_at"`
			Purpose        string `json:"purpose"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"id":%d,"status":"approved"}`, n.Add(1))
	})
	base, stop, err := serve(handler)
	if err != nil {
		return result{}, err
	}
	defer stop()
	r, err := drive(cfg, loadSpec{Base: base, Bare: true})
	if err != nil {
		return result{}, err
	}
	r.name = "bare net/http"
	return r, nil
}
