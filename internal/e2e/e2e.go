// Package e2e holds the end-to-end tests of Voisines: one drives the real
// binary, others drive pages in headless Chromium and check them with
// axe-core. Its only non-test code is the browser harness below.
package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/chromedp/chromedp"
)

// ChromiumPath returns the Chromium binary named by VOISINES_CHROMIUM, or
// chromium on the PATH. The browser tests never skip: scripts/test installs it.
func ChromiumPath() (string, error) {
	if p := os.Getenv("VOISINES_CHROMIUM"); p != "" {
		return p, nil
	}
	p, err := exec.LookPath("chromium")
	if err != nil {
		return "", errors.New("chromium not found: run scripts/test, which installs it (apt-get install chromium), or set VOISINES_CHROMIUM")
	}
	return p, nil
}

// AxeSource returns axe-core's script, from VOISINES_AXE_JS or the copy that
// scripts/test installs under tools/browser.
func AxeSource(repoRoot string) (string, error) {
	p := os.Getenv("VOISINES_AXE_JS")
	if p == "" {
		p = repoRoot + "/tools/browser/node_modules/axe-core/axe.min.js"
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return "", fmt.Errorf("axe-core not found at %s: run scripts/test, which installs it (npm ci in tools/browser): %w", p, err)
	}
	return string(b), nil
}

// NewBrowser starts headless Chromium with a fresh profile in userDataDir and
// returns a browser context and its cancel function.
func NewBrowser(ctx context.Context, chromium, userDataDir string) (context.Context, context.CancelFunc) {
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.NoSandbox,
		chromedp.Flag("headless", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.UserDataDir(userDataDir),
		chromedp.WindowSize(1280, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	bctx, cancelBrowser := chromedp.NewContext(allocCtx)
	return bctx, func() { cancelBrowser(); cancelAlloc() }
}

// Violation is one axe-core rule a page breaks.
type Violation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any  `json:"target"`
		HTML   string `json:"html"`
	} `json:"nodes"`
}

func (v Violation) String() string {
	var targets []string
	for _, n := range v.Nodes {
		targets = append(targets, strings.TrimSpace(n.HTML))
	}
	return fmt.Sprintf("%s (%s): %s — %s", v.ID, v.Impact, v.Help, strings.Join(targets, " | "))
}

// Axe runs axe-core on the current page (WCAG 2.x A and AA rules, the base of
// RGAA) and returns its violations.
func Axe(ctx context.Context, axeSource string) ([]Violation, error) {
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](axeSource+";true")); err != nil {
		return nil, fmt.Errorf("inject axe-core: %w", err)
	}
	script := `axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}})
		.then(r => JSON.stringify(r.violations))`
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](script, chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, fmt.Errorf("run axe-core: %w", err)
	}
	var vs []Violation
	if err := json.Unmarshal([]byte(raw), &vs); err != nil {
		return nil, fmt.Errorf("read axe-core result: %w", err)
	}
	return vs, nil
}

// Serious keeps the violations of impact serious or critical, the ones that
// fail the tests.
func Serious(vs []Violation) []Violation {
	var out []Violation
	for _, v := range vs {
		if v.Impact == "serious" || v.Impact == "critical" {
			out = append(out, v)
		}
	}
	return out
}
