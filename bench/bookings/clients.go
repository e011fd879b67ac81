package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"runtime/pprof"
	"runtime/trace"
	"strings"
	"sync/atomic"
	"time"
)

// The clients
//
// By default the clients run in a process of their own, as a load
// generator on another machine would: the server's scheduler then has
// only the server's goroutines to run, and the machine's two cores are shared between the two
// processes by the operating system. -clients-in-process keeps them in the
// server's process.

// loadSpec is what the clients need to know of the server.
type loadSpec struct {
	Base           string  `json:"base"`
	Bare           bool    `json:"bare"` // the bare handler: no log-in, any slot
	Email          string  `json:"email"`
	Password       string  `json:"password"`
	RequesterOrgID int64   `json:"requester_org_id"`
	EquipmentIDs   []int64 `json:"equipment_ids"`

	Clients  int           `json:"clients"`
	Requests int           `json:"requests"`
	Warmup   time.Duration `json:"warmup"`
	Duration time.Duration `json:"duration"`
	Rate     float64       `json:"rate"`
}

// wireResult is a result as the clients' process reports it.
type wireResult struct {
	Requests, Accepted, WarmAccepted, Conflicts, Errors int
	Elapsed                                             time.Duration
	Latencies                                           []time.Duration
	FirstError                                          string
	CPU                                                 time.Duration
}

// drive runs the load of spec against the server, in this process or in
// a process of the clients, and returns what it measured. The CPU time
// counts both processes during the load, and only then. The CPU profile
// and the trace, when asked for, cover the server's process during the
// load.
func drive(cfg config, spec loadSpec) (result, error) {
	spec.Clients, spec.Requests, spec.Warmup, spec.Duration, spec.Rate = cfg.clients, cfg.requests, cfg.warmup, cfg.duration, cfg.rate
	if cfg.inProcess {
		do, err := clientsFor(spec)
		if err != nil {
			return result{}, err
		}
		stop := func() {}
		r := load(cfg, do, func() { stop = startProfiles() })
		stop()
		return r, nil
	}
	self, err := os.Executable()
	if err != nil {
		return result{}, err
	}
	cmd := exec.Command(self, "-load-child")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return result{}, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return result{}, err
	}
	if err := cmd.Start(); err != nil {
		return result{}, err
	}
	defer cmd.Wait()
	out := bufio.NewReader(stdout)
	if err := json.NewEncoder(stdin).Encode(spec); err != nil {
		return result{}, err
	}
	if line, err := out.ReadString('\n'); err != nil || line != "ready\n" {
		return result{}, fmt.Errorf("clients' process: %q, %v", line, err)
	}
	if _, err := io.WriteString(stdin, "go\n"); err != nil {
		return result{}, err
	}
	// The server's CPU time, and its profiles, from the end of the warm-up.
	var cpu0 time.Duration
	stop := func() {}
	warmed := make(chan struct{})
	time.AfterFunc(cfg.warmup, func() {
		stop = startProfiles()
		cpu0 = cpuTime()
		close(warmed)
	})
	var w wireResult
	err = json.NewDecoder(out).Decode(&w)
	<-warmed
	cpu := cpuTime() - cpu0
	stop()
	if err != nil {
		return result{}, fmt.Errorf("clients' process: %w", err)
	}
	stdin.Close()
	return result{requests: w.Requests, accepted: w.Accepted, warmAccepted: w.WarmAccepted, conflicts: w.Conflicts, errors: w.Errors, elapsed: w.Elapsed,
		latencies: w.Latencies, firstError: w.FirstError, cpu: w.CPU + cpu}, nil
}

// startProfiles starts the CPU profile and the trace asked for, once, and
// returns what stops them.
func startProfiles() (stop func()) {
	var stops []func()
	if cpuprofile != "" {
		if f, err := os.Create(cpuprofile); err == nil && pprof.StartCPUProfile(f) == nil {
			stops = append(stops, func() { pprof.StopCPUProfile(); f.Close() })
		}
		cpuprofile = ""
	}
	if tracefile != "" {
		if f, err := os.Create(tracefile); err == nil && trace.Start(f) == nil {
			stops = append(stops, func() { trace.Stop(); f.Close() })
		}
		tracefile = ""
	}
	return func() {
		for _, s := range stops {
			s()
		}
	}
}

// childLoad is the clients' process: it reads its spec, logs its clients
// in, says "ready", waits for "go", runs the load and writes the result.
func childLoad(in io.Reader, out io.Writer) error {
	r := bufio.NewReader(in)
	var spec loadSpec
	line, err := r.ReadBytes('\n')
	if err != nil {
		return err
	}
	if err := json.Unmarshal(line, &spec); err != nil {
		return err
	}
	do, err := clientsFor(spec)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "ready")
	if line, err := r.ReadString('\n'); err != nil || line != "go\n" {
		return fmt.Errorf("expected go, got %q (%v)", line, err)
	}
	res := load(config{clients: spec.Clients, requests: spec.Requests, warmup: spec.Warmup, duration: spec.Duration, rate: spec.Rate}, do, nil)
	return json.NewEncoder(out).Encode(wireResult{Requests: res.requests, Accepted: res.accepted, WarmAccepted: res.warmAccepted, Conflicts: res.conflicts,
		Errors: res.errors, Elapsed: res.elapsed, Latencies: res.latencies, FirstError: res.firstError, CPU: res.cpu})
}

// conn is one client's keep-alive connection to the server, written to
// and read from by that client alone. net/http's client is kept for
// logging in: for the load, its transport (a reader and a writer
// goroutine per connection, a shared pool, a cookie jar looked up on every
// request) cost the clients' process about as much CPU again as the bare
// handler costs the server, on the two cores both processes share. A
// request here is one write of prepared bytes, and its response is read
// by net/http's own parser.
type conn struct {
	addr   string // host:port
	header string // the request's fixed headers, each ending in CRLF
	c      net.Conn
	r      *bufio.Reader
	buf    []byte
}

// post sends body to path and returns the response's status and body. A
// connection the server closed is opened again for the next request.
func (c *conn) post(path string, body []byte) (int, []byte, error) {
	if c.c == nil {
		nc, err := net.Dial("tcp", c.addr)
		if err != nil {
			return 0, nil, err
		}
		c.c, c.r = nc, bufio.NewReader(nc)
	}
	c.buf = fmt.Appendf(c.buf[:0], "POST %s HTTP/1.1\r\nHost: %s\r\n%sContent-Type: application/json\r\nContent-Length: %d\r\n\r\n",
		path, c.addr, c.header, len(body))
	c.buf = append(c.buf, body...)
	if _, err := c.c.Write(c.buf); err != nil {
		c.close()
		return 0, nil, err
	}
	resp, err := http.ReadResponse(c.r, nil)
	if err != nil {
		c.close()
		return 0, nil, err
	}
	msg, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.Close {
		c.close()
	}
	return resp.StatusCode, msg, err
}

func (c *conn) close() {
	if c.c != nil {
		c.c.Close()
		c.c, c.r = nil, nil
	}
}

// clientsFor logs spec.Clients clients in (unless the server is the bare
// handler) and returns the function that sends request n of a worker.
//
// Slot k of equipment e is [start + 2k h, start + 2k h + 2 h), Paris time;
// every tenth request asks again for a slot already taken, which must be
// refused.
func clientsFor(spec loadSpec) (func(worker, n int) (int, error), error) {
	base, err := url.Parse(spec.Base)
	if err != nil {
		return nil, err
	}
	start := time.Date(2031, 1, 6, 0, 0, 0, 0, time.UTC)
	conns := make([]conn, spec.Clients)
	if spec.Bare {
		for i := range conns {
			conns[i] = conn{addr: base.Host}
		}
		return func(worker, k int) (int, error) {
			from := start.Add(time.Duration(worker*100000+k) * 2 * time.Hour)
			body := fmt.Appendf(nil, `{"requester_org_id":1,"starts_at":%q,"ends_at":%q,"purpose":"banc d'essai"}`,
				from.Format(time.RFC3339), from.Add(2*time.Hour).Format(time.RFC3339))
			status, _, err := conns[worker].post("/api/v1/equipment/1/bookings", body)
			if err != nil {
				return 0, err
			}
			if status != http.StatusCreated {
				return status, fmt.Errorf("status %d", status)
			}
			return status, nil
		}, nil
	}
	login := &http.Client{Timeout: 30 * time.Second}
	for i := range conns {
		jar, _ := cookiejar.New(nil)
		login.Jar = jar
		body := fmt.Sprintf(`{"email":%q,"password":%q}`, spec.Email, spec.Password)
		resp, err := login.Post(spec.Base+"/api/v1/session", "application/json", strings.NewReader(body))
		if err != nil {
			return nil, err
		}
		var s struct {
			CSRF string `json:"csrf_token"`
		}
		json.NewDecoder(resp.Body).Decode(&s)
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated || s.CSRF == "" {
			return nil, fmt.Errorf("log in: status %d", resp.StatusCode)
		}
		var h strings.Builder
		for _, c := range jar.Cookies(base) {
			fmt.Fprintf(&h, "Cookie: %s=%s\r\n", c.Name, c.Value)
		}
		fmt.Fprintf(&h, "X-CSRF-Token: %s\r\n", s.CSRF)
		conns[i] = conn{addr: base.Host, header: h.String()}
	}
	n := len(spec.EquipmentIDs)
	next := make([]atomic.Int64, n)
	return func(worker, k int) (int, error) {
		e := (worker + k) % n
		var slot int64
		if k%10 == 9 && next[e].Load() > 0 {
			slot = next[e].Load() - 1 // a taken slot: must be refused
		} else {
			slot = next[e].Add(1) - 1
		}
		from := start.Add(time.Duration(slot) * 2 * time.Hour)
		body := fmt.Appendf(nil, `{"requester_org_id":%d,"starts_at":%q,"ends_at":%q,"purpose":"banc d'essai"}`,
			spec.RequesterOrgID, from.Format(time.RFC3339), from.Add(2*time.Hour).Format(time.RFC3339))
		status, msg, err := conns[worker].post(fmt.Sprintf("/api/v1/equipment/%d/bookings", spec.EquipmentIDs[e]), body)
		if err != nil {
			return 0, err
		}
		if status != http.StatusCreated && status != http.StatusConflict {
			return status, fmt.Errorf("status %d: %s", status, bytes.TrimSpace(msg))
		}
		return status, nil
	}, nil
}
