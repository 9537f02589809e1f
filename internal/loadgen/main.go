// Command loadgen sends signed Goody webhooks to an endpoint at a fixed
// concurrency for a fixed time or number of requests, then prints the
// requests sent, the errors (no response, or a status other than 2xx),
// the throughput and latency percentiles.
// With -pid it also prints the peak resident memory of that process,
// read from /proc/PID/status (Linux only).
//
// Each request carries the documentation sample of one of the ten event
// types, in turn, signed at the current time with a new message id:
//
//	go run ./internal/loadgen -url http://127.0.0.1:8080/webhooks/goody -c 16 -d 20s
//
// The secret is the value of GOODYHOOKS_SECRET, or goodyhookstest.Secret
// when it is unset. loadgen is a measuring tool for docs/reliability.md,
// not part of the library, and is not run in CI.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"os/signal"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/goodyhooks/goodyhooks"
	"github.com/goodyhooks/goodyhooks/goodyhookstest"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

// settings are the command-line flags.
type settings struct {
	url         string
	concurrency int
	duration    time.Duration
	requests    int
	timeout     time.Duration
	pid         int
	bodyBytes   int
}

func parseFlags(args []string) (settings, error) {
	var s settings
	flags := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	flags.StringVar(&s.url, "url", "http://127.0.0.1:8080/webhooks/goody", "endpoint `URL` to post to")
	flags.IntVar(&s.concurrency, "c", 8, "number of requests in flight at once")
	flags.DurationVar(&s.duration, "d", 20*time.Second, "how long to send, such as 20s")
	flags.IntVar(&s.requests, "n", 0, "stop after this many requests; 0 sends until -d ends")
	flags.DurationVar(&s.timeout, "timeout", 10*time.Second, "time limit of each request")
	flags.IntVar(&s.pid, "pid", 0, "print the peak resident memory of this `process` after the run")
	flags.IntVar(&s.bodyBytes, "body-bytes", 0,
		"pad each body with trailing spaces to this many `bytes`; 0 sends the samples as they are")
	if err := flags.Parse(args); err != nil {
		return s, err
	}
	switch {
	case s.concurrency < 1:
		return s, fmt.Errorf("invalid -c %d; want at least 1", s.concurrency)
	case s.duration <= 0:
		return s, fmt.Errorf("invalid -d %v; want a positive duration", s.duration)
	case s.requests < 0:
		return s, fmt.Errorf("invalid -n %d; want 0 or more", s.requests)
	case s.bodyBytes < 0:
		return s, fmt.Errorf("invalid -body-bytes %d; want 0 or more", s.bodyBytes)
	}
	return s, nil
}

// result is the outcome of one request.
type result struct {
	latency time.Duration
	status  int // 0 when no response came
	err     error
}

func run(args []string, out io.Writer) error {
	s, err := parseFlags(args)
	if err != nil {
		return err
	}
	secret := os.Getenv("GOODYHOOKS_SECRET")
	if secret == "" {
		secret = goodyhookstest.Secret
	}
	if _, err := goodyhooks.DecodeSecret(secret); err != nil {
		return err
	}
	var bodies [][]byte
	for _, typ := range goodyhooks.EventTypes() {
		body := goodyhookstest.SamplePayload(typ)
		if padding := s.bodyBytes - len(body); padding > 0 {
			// JSON allows white space after the value, so a padded body
			// still decodes, unless it is over the server's limit.
			body = append(body, bytes.Repeat([]byte(" "), padding)...)
		}
		bodies = append(bodies, body)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, s.duration)
	defer cancel()

	client := &http.Client{
		Timeout: s.timeout,
		Transport: &http.Transport{
			MaxIdleConnsPerHost: s.concurrency,
			DisableCompression:  true,
		},
	}

	// Workers take request numbers from next until it closes, so that -n
	// is exact whatever the concurrency.
	next := make(chan int)
	results := make([][]result, s.concurrency)
	var wg sync.WaitGroup
	for w := 0; w < s.concurrency; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := range next {
				results[w] = append(results[w], send(client, s.url, secret, bodies[i%len(bodies)]))
			}
		}(w)
	}

	start := time.Now()
feed:
	for i := 0; s.requests == 0 || i < s.requests; i++ {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	elapsed := time.Since(start)

	var all []result
	for _, r := range results {
		all = append(all, r...)
	}
	report(out, s, all, elapsed)
	if s.pid != 0 {
		return reportMemory(out, s.pid)
	}
	return nil
}

// send posts one signed delivery and reads the whole response.
func send(client *http.Client, url, secret string, body []byte) result {
	request, err := goodyhookstest.NewClientRequest(url, body, goodyhookstest.WithSecret(secret))
	if err != nil {
		return result{err: err}
	}
	start := time.Now()
	response, err := client.Do(request)
	if err != nil {
		return result{latency: time.Since(start), err: err}
	}
	_, err = io.Copy(io.Discard, response.Body)
	response.Body.Close()
	return result{latency: time.Since(start), status: response.StatusCode, err: err}
}

// report prints the counts, the throughput and the latency percentiles.
func report(out io.Writer, s settings, results []result, elapsed time.Duration) {
	statuses := map[int]int{}
	var failed int
	var firstErr error
	latencies := make([]time.Duration, 0, len(results))
	for _, r := range results {
		latencies = append(latencies, r.latency)
		switch {
		case r.err != nil:
			failed++
			if firstErr == nil {
				firstErr = r.err
			}
		case r.status < 200 || r.status > 299:
			failed++
		}
		if r.err == nil {
			statuses[r.status]++
		}
	}
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })

	fmt.Fprintf(out, "url          %s\n", s.url)
	fmt.Fprintf(out, "concurrency  %d\n", s.concurrency)
	fmt.Fprintf(out, "duration     %.2fs\n", elapsed.Seconds())
	fmt.Fprintf(out, "requests     %d\n", len(results))
	fmt.Fprintf(out, "errors       %d\n", failed)
	fmt.Fprintf(out, "statuses     %s\n", formatStatuses(statuses))
	fmt.Fprintf(out, "throughput   %.0f requests/s\n", float64(len(results))/elapsed.Seconds())
	for _, p := range []float64{0.50, 0.90, 0.99} {
		fmt.Fprintf(out, "latency p%-3.0f %v\n", p*100, percentile(latencies, p))
	}
	if len(latencies) > 0 {
		fmt.Fprintf(out, "latency max  %v\n", latencies[len(latencies)-1])
	}
	if firstErr != nil {
		fmt.Fprintf(out, "first error  %v\n", firstErr)
	}
}

func formatStatuses(statuses map[int]int) string {
	codes := make([]int, 0, len(statuses))
	for code := range statuses {
		codes = append(codes, code)
	}
	sort.Ints(codes)
	parts := make([]string, 0, len(codes))
	for _, code := range codes {
		parts = append(parts, fmt.Sprintf("%d×%d", code, statuses[code]))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, " ")
}

// percentile returns the nearest-rank percentile p, between 0 and 1, of
// sorted latencies, or 0 if there are none.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p*float64(len(sorted)))) - 1
	if rank < 0 {
		rank = 0
	}
	return sorted[rank].Round(time.Microsecond)
}

// reportMemory prints the peak and current resident memory of a
// process, the VmHWM and VmRSS lines of /proc/PID/status.
func reportMemory(out io.Writer, pid int) error {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return fmt.Errorf("failed to read the memory of process %d: %w", pid, err)
	}
	found := false
	for _, line := range strings.Split(string(status), "\n") {
		name, value, ok := strings.Cut(line, ":")
		if ok && (name == "VmHWM" || name == "VmRSS") {
			fmt.Fprintf(out, "server %s %s\n", name, strings.TrimSpace(value))
			found = true
		}
	}
	if !found {
		return errors.New("no VmHWM line in /proc/" + fmt.Sprint(pid) + "/status; is it a Linux process?")
	}
	return nil
}
