package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/goodyhooks/goodyhooks"
)

var listenHelpText = commandHelp{
	synopsis: "goodyhooks listen [--addr ADDR] [--path PATH] [--secret SECRET]...\n" +
		"                  [--json] [--save DIR] [--tolerance DURATION]",
	description: `
Listen serves the goodyhooks handler, the one a Go service mounts, and
prints each delivery it gets. A verified event is printed with its type,
event id, message id, signing time, order or batch id and status, and
the fields that matter for its type: the shipments of order.shipped,
the note of order.thank_you_note_added, the orders of a batch. The
handler responds to it with 204 No Content.

A rejected request gets the handler's response, such as 400 Bad
Request, which never gives the reason. Listen prints the reason: the missing
header, how far the timestamp lies outside the tolerance, or that no
signature matches, with the likely cause as 'goodyhooks verify' finds it.

The first line, on standard error, gives the URL to send to, so that
--addr 127.0.0.1:0 can pick any free port. With no host or an
unspecified one, as in :0 or 0.0.0.0:8080, listen accepts connections
on every interface and gives the URL with 127.0.0.1. Events and
rejections go to standard output. Listen stops cleanly on SIGINT
(Ctrl-C) or SIGTERM. With several secrets, as while a secret is
rotated, each event says which secret matched. With --save DIR, each
request is also written to a file in DIR as it was received, for
'goodyhooks verify' to check.
`,
	environment: secretHelp,
	exitStatus: "0  stopped by SIGINT or SIGTERM\n" +
		"1  the address cannot be listened on, or the server failed\n",
}

// shutdownTimeout bounds how long listen waits for requests in flight
// when it stops.
const shutdownTimeout = 5 * time.Second

func runListen(e *env, args []string) error {
	fs := flag.NewFlagSet("listen", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8080",
		"`ADDR` to listen on, host:port; port 0 picks a free port")
	path := fs.String("path", "",
		"serve only `PATH`, such as /webhooks/goody, and respond 404 elsewhere (default: any path)")
	var secretValues listFlag
	fs.Var(&secretValues, "secret", "signing `SECRET` (whsec_...); repeat it to accept several")
	jsonOutput := fs.Bool("json", false,
		"print one JSON object per line instead of text blocks")
	saveDir := fs.String("save", "",
		"write each request, as received, to a file in `DIR` that 'goodyhooks verify' reads")
	tolerance := fs.Duration("tolerance", goodyhooks.DefaultTolerance,
		"how far the svix-timestamp may lie from now, a `DURATION` such as 5m")

	positional, err := parseArgs(e, fs, listenHelpText, args)
	if err != nil {
		return err
	}
	if len(positional) > 0 {
		return usageErrorf("unexpected argument %q; listen takes only flags", positional[0])
	}
	if *path != "" && !strings.HasPrefix(*path, "/") {
		return usageErrorf("--path %q: want a path that starts with /", *path)
	}
	if *tolerance <= 0 {
		return usageErrorf("--tolerance %v: want a positive duration such as 5m", *tolerance)
	}
	if *saveDir != "" {
		if info, err := os.Stat(*saveDir); err != nil || !info.IsDir() {
			return usageErrorf("--save %s: not a directory; create it first", *saveDir)
		}
	}
	secrets, err := secretsFrom(e, secretValues)
	if err != nil {
		return err
	}
	if err := decodeSecrets(secrets); err != nil {
		return err
	}

	p := &printer{
		w:         e.stdout,
		json:      *jsonOutput,
		now:       e.now,
		secrets:   newSecretChecks(secrets),
		tolerance: *tolerance,
	}
	hooks, err := goodyhooks.NewHandler(secrets.values[0],
		goodyhooks.WithAdditionalSecrets(secrets.values[1:]...),
		goodyhooks.WithTolerance(*tolerance),
		goodyhooks.WithLogger(slog.New(&rejectionLog{printer: p})))
	if err != nil {
		return usageErrorf("%s", strings.TrimPrefix(err.Error(), "goodyhooks: "))
	}
	hooks.OnDefault(p.printEvent)
	handler := keepRequest(hooks, *saveDir, e)
	if *path != "" {
		handler = onlyPath(*path, handler, p)
	}
	return serve(e, *addr, *path, handler)
}

// serve listens on addr and serves handler until e.ctx is canceled.
func serve(e *env, addr, path string, handler http.Handler) error {
	listener, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintf(
			e.stderr,
			"goodyhooks listen: cannot listen on %s: %v; pick another address with --addr, "+
				"such as 127.0.0.1:0 for any free port\n",
			addr,
			err,
		)
		return errFailed
	}
	// Svix waits 15 seconds for a response, so no request needs longer.
	server := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      20 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          log.New(e.stderr, "goodyhooks listen: ", 0),
	}
	// The URL ends at a space, so that a double click or a terminal's
	// link detection takes it without the words after it.
	paths := "(only this path)"
	if path == "" {
		path, paths = "/", "(any path)"
	}
	fmt.Fprintf(e.stderr, "goodyhooks listen: listening on %s %s. Press Ctrl-C to stop.\n",
		serverURL(listener.Addr(), path), paths)

	served := make(chan error, 1)
	go func() { served <- server.Serve(listener) }()
	select {
	case <-e.ctx.Done():
	case err := <-served:
		fmt.Fprintf(e.stderr, "goodyhooks listen: server failed: %v\n", err)
		return errFailed
	}
	ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := server.Shutdown(ctx); err != nil {
		fmt.Fprintf(e.stderr,
			"goodyhooks listen: requests still running after %v were cut off: %v\n",
			shutdownTimeout, err)
		return errFailed
	}
	fmt.Fprintln(e.stderr, "goodyhooks listen: stopped")
	return nil
}

// serverURL returns the http URL of path on the server at addr. For an
// unspecified address, such as 0.0.0.0 or ::, where the server accepts
// connections on every interface, the URL has the loopback address
// 127.0.0.1, which a client on this machine can reach.
func serverURL(addr net.Addr, path string) string {
	host := addr.String()
	if tcp, ok := addr.(*net.TCPAddr); ok {
		ip := tcp.IP.String()
		if tcp.IP == nil || tcp.IP.IsUnspecified() {
			ip = "127.0.0.1"
		}
		host = net.JoinHostPort(ip, strconv.Itoa(tcp.Port))
	}
	return "http://" + host + path
}

// keptRequest is the part of a request that a rejection is diagnosed
// from.
type keptRequest struct {
	header http.Header
	body   []byte
	// complete is false when the body was cut at the size limit or
	// could not be read to its end.
	complete bool
	// savedTo is the file that --save wrote the request to, or empty.
	savedTo string
}

// saveRequest writes a request, with the body as received, to a new
// file in dir, in the raw HTTP/1.1 form that verify reads. The file is
// named after the time and the svix-id header.
func saveRequest(dir string, r *http.Request, body []byte, now time.Time) (string, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s %s\r\nHost: %s\r\n", r.Method, r.RequestURI, r.Proto, r.Host)
	header := r.Header.Clone()
	header.Set("Content-Length", strconv.Itoa(len(body)))
	header.Del("Transfer-Encoding")
	if err := header.Write(&b); err != nil {
		return "", err
	}
	b.WriteString("\r\n")
	b.Write(body)

	id := strings.Map(func(r rune) rune {
		if r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '-') {
			return r
		}
		return -1
	}, r.Header.Get("svix-id")+r.Header.Get("webhook-id"))
	if len(id) > 64 {
		id = id[:64]
	}
	if id == "" {
		id = "no-id"
	}
	name := fmt.Sprintf("%s-%s.http", now.UTC().Format("20060102T150405.000000"), id)
	path := filepath.Join(dir, name)
	return path, os.WriteFile(path, b.Bytes(), 0o600)
}

type keptRequestKey struct{}

// keepRequest reads the body of each request up to the handler's size
// limit and keeps it with the headers in the request's context, which
// the handler passes to its logger, so that a rejection can be
// diagnosed. The handler still reads the whole body, limit included.
func keepRequest(next http.Handler, saveDir string, e *env) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, goodyhooks.DefaultMaxBodyBytes+1))
		kept := &keptRequest{
			header:   r.Header.Clone(),
			body:     body,
			complete: err == nil && len(body) <= goodyhooks.DefaultMaxBodyBytes,
		}
		if saveDir != "" && kept.complete {
			path, err := saveRequest(saveDir, r, body, e.now())
			if err != nil {
				fmt.Fprintf(e.stderr, "goodyhooks listen: saving the request failed: %v\n", err)
			}
			kept.savedTo = path
		}
		r.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(body), r.Body), r.Body}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), keptRequestKey{}, kept)))
	})
}

// onlyPath responds with 404 Not Found, and prints a rejection, to a
// request for any path but path.
func onlyPath(path string, next http.Handler, p *printer) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != path {
			p.printRejection(
				r.Context(),
				http.StatusNotFound,
				r.Header.Get("svix-id"),
				r.RemoteAddr,
				fmt.Errorf("path %s is not served; listen serves only %s (see --path)",
					r.URL.Path, path),
			)
			http.NotFound(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// printer writes events and rejections as text blocks or JSON lines.
// It is safe for concurrent use.
type printer struct {
	mu        sync.Mutex
	w         io.Writer
	json      bool
	now       func() time.Time
	secrets   []*secretCheck
	tolerance time.Duration
}

// printEvent is the handler's callback for every event.
func (p *printer) printEvent(ctx context.Context, event goodyhooks.Event) error {
	fields := eventFields(event)
	if secret := p.matchingSecret(ctx, event); secret != nil {
		fields = append(fields,
			field{"secret", fmt.Sprintf("%d (sha256 %s)", secret.position, secret.fingerprint)})
	}
	if kept, ok := ctx.Value(keptRequestKey{}).(*keptRequest); ok && kept.savedTo != "" {
		fields = append(fields, field{"saved_to", kept.savedTo})
	}
	heading := "verified " + string(event.Meta().Type)
	p.print("verified", heading, fields)
	return nil
}

// matchingSecret returns the secret that verifies the event's request
// when listen has several, or nil.
func (p *printer) matchingSecret(ctx context.Context, event goodyhooks.Event) *secretCheck {
	kept, ok := ctx.Value(keptRequestKey{}).(*keptRequest)
	if len(p.secrets) < 2 || !ok {
		return nil
	}
	meta := event.Meta()
	for _, s := range p.secrets {
		if verifyAt(s.usable, meta.Raw, kept.header, meta.Timestamp, p.tolerance) == nil {
			return s
		}
	}
	return nil
}

// printRejection prints a rejected request with the reason, and for a
// signature or timestamp failure the likely cause.
func (p *printer) printRejection(ctx context.Context, status int, messageID, remoteAddr string,
	err error) {
	fields := []field{
		{"http_status", status},
		{"message_id", orNone(messageID)},
		{"remote_addr", remoteAddr},
	}
	if err != nil {
		fields = append(fields,
			field{"reason", strings.TrimPrefix(err.Error(), "goodyhooks: ")})
	}
	kept, ok := ctx.Value(keptRequestKey{}).(*keptRequest)
	if ok && kept.complete && (errors.Is(err, goodyhooks.ErrNoMatchingSignature) ||
		errors.As(err, new(*goodyhooks.TimestampError))) {
		c := &capture{header: kept.header, body: kept.body}
		d := diagnose(c, p.secrets, checkSettings{now: p.now(), tolerance: p.tolerance})
		for _, cause := range d.causes {
			fields = append(fields, field{"cause", cause})
		}
	}
	if ok && kept.savedTo != "" {
		fields = append(fields, field{"saved_to", kept.savedTo})
	}
	heading := fmt.Sprintf("rejected %d %s", status, http.StatusText(status))
	p.print("rejected", heading, fields)
}

// print writes one record: a heading line and indented rows in text,
// or one JSON object with the time and outcome first.
func (p *printer) print(outcome, heading string, fields []field) {
	now := p.now()
	var b bytes.Buffer
	if p.json {
		header := []field{{"time", now.UTC().Format(time.RFC3339Nano)}, {"outcome", outcome}}
		if err := appendJSONObject(&b, append(header, fields...)); err != nil {
			b.Reset()
			fmt.Fprintf(&b, "{\"outcome\":\"error\",\"error\":%q}\n", err.Error())
		}
	} else {
		fmt.Fprintf(&b, "%s %s\n", now.Format("15:04:05"), heading)
		var rows []fact
		for _, f := range fields {
			if f.key != "type" && f.key != "message" && f.key != "http_status" {
				rows = append(rows, textRows(f)...)
			}
		}
		writeRows(&b, rows)
		b.WriteByte('\n')
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	_, _ = p.w.Write(b.Bytes())
}

// rejectedMessage is the message of the records that goodyhooks.Handler
// logs for a rejected request.
const rejectedMessage = "goodyhooks: request rejected"

// rejectionLog is the slog.Handler given to goodyhooks.Handler. It
// prints each rejected request with its reason, and any other record
// as a log line. Groups are flattened.
type rejectionLog struct {
	printer *printer
	attrs   []slog.Attr
}

func (l *rejectionLog) Enabled(context.Context, slog.Level) bool { return true }

func (l *rejectionLog) WithAttrs(attrs []slog.Attr) slog.Handler {
	combined := append(append([]slog.Attr(nil), l.attrs...), attrs...)
	return &rejectionLog{printer: l.printer, attrs: combined}
}

func (l *rejectionLog) WithGroup(string) slog.Handler { return l }

func (l *rejectionLog) Handle(ctx context.Context, record slog.Record) error {
	var (
		status                int64
		messageID, remoteAddr string
		err                   error
		fields                []field
	)
	visit := func(a slog.Attr) bool {
		switch {
		case a.Key == "status" && a.Value.Kind() == slog.KindInt64:
			status = a.Value.Int64()
		case a.Key == "svix_id":
			messageID = a.Value.String()
		case a.Key == "remote_addr":
			remoteAddr = a.Value.String()
		case a.Key == "error":
			if e, ok := a.Value.Any().(error); ok {
				err = e
			}
		}
		fields = append(fields, field{a.Key, a.Value.String()})
		return true
	}
	for _, a := range l.attrs {
		visit(a)
	}
	record.Attrs(visit)

	if record.Message == rejectedMessage && status != 0 {
		l.printer.printRejection(ctx, int(status), messageID, remoteAddr, err)
		return nil
	}
	heading := strings.ToLower(record.Level.String()) + " " +
		strings.TrimPrefix(record.Message, "goodyhooks: ")
	l.printer.print("log", heading, append([]field{{"message", record.Message}}, fields...))
	return nil
}
