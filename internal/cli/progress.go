package cli

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"
)

// progress shows how far a long command has gone: a redrawn bar when w is a
// terminal, one plain line per finished stage otherwise (logs, CI, pipes).
type progress struct {
	w     io.Writer
	tty   bool
	stage string
	drawn time.Time // last redraw, to redraw at most every 50 ms
	open  bool      // a bar line is on screen without its newline
	ended bool      // the current stage has been shown finished
}

func newProgress(w io.Writer) *progress {
	p := &progress{w: w}
	if f, ok := w.(*os.File); ok {
		p.tty = term.IsTerminal(int(f.Fd()))
	}
	return p
}

// update is a territory.Progress: stage has done of total steps.
func (p *progress) update(stage string, done, total int) {
	changed := stage != p.stage
	finished := total > 0 && done >= total
	if !changed && finished && p.ended {
		return // told twice that the stage is over
	}
	p.ended = finished
	if changed && p.open {
		fmt.Fprintln(p.w)
		p.open = false
	}
	p.stage = stage
	if !p.tty {
		if finished {
			fmt.Fprintf(p.w, "%s: %d/%d\n", stage, done, total)
		}
		return
	}
	now := time.Now()
	if !changed && !finished && now.Sub(p.drawn) < 50*time.Millisecond {
		return
	}
	p.drawn = now
	const width = 30
	filled, pct := width, 100
	if total > 0 {
		filled, pct = width*done/total, 100*done/total
	}
	fmt.Fprintf(p.w, "\r\033[K%-21s [%s%s] %3d%% %d/%d", stage,
		strings.Repeat("#", filled), strings.Repeat(".", width-filled), pct, done, total)
	p.open = true
	if finished {
		fmt.Fprintln(p.w)
		p.open = false
	}
}

// finish ends a bar left open (after an error, for instance).
func (p *progress) finish() {
	if p.open {
		fmt.Fprintln(p.w)
		p.open = false
	}
}
