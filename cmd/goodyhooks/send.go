package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/goodyhooks/goodyhooks"
	"github.com/goodyhooks/goodyhooks/goodyhookstest"
)

// svixTimeout is how long Svix waits for a response before it counts a
// delivery as failed.
const svixTimeout = 15 * time.Second

const defaultSendURL = "http://127.0.0.1:8080/"

var sendHelpText = commandHelp{
	synopsis: `goodyhooks send [flags] EVENT...
goodyhooks send [flags] --all
goodyhooks send [flags] --data FILE [EVENT]`,
	description: `
Send posts a signed delivery of each EVENT to --url, as Svix posts it
for Goody: a JSON body, Content-Type application/json, and svix-id,
svix-timestamp and svix-signature headers signed with the secret. The
body is Goody's documented example of the event unless --data gives
one. Each delivery gets a new message id and the current time unless
--message-id or --timestamp sets them.

EVENT is one of:

	` + strings.Join(eventTypeNames(), "\n\t") + `

The older names gift_batch.created and gift_batch.completed are taken
as order_batch.created and order_batch.completed.

For each delivery it prints the event type, the status code and text
of the response, the time taken and the message id. A redirect is not
followed, so that it shows as the response it is. With several secrets,
the signature header lists one signature for each, as Svix sends it
while a secret is rotated.
`,
	environment: secretHelp,
	exitStatus: "0  every delivery got a 2xx response\n" +
		"1  a delivery got another status, an error or no response in time\n",
}

// sendOptions are the parsed flags of send.
type sendOptions struct {
	url            string
	secrets        []string
	bodies         []outgoing
	messageID      string
	timestamp      func() time.Time
	webhookHeaders bool
	timeout        time.Duration
}

// outgoing is one body to send, with the event type to print for it.
type outgoing struct {
	label string
	body  []byte
}

func runSend(e *env, args []string) error {
	opts, err := parseSend(e, args)
	if err != nil {
		return err
	}
	client := &http.Client{
		Timeout: opts.timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
	failures := 0
	sent := 0
	for _, d := range opts.bodies {
		// SIGINT cancels e.ctx, which stops the request in flight and
		// the ones after it.
		if e.ctx.Err() != nil {
			fmt.Fprintln(e.stderr, "goodyhooks send: interrupted")
			break
		}
		sent++
		if !sendOne(e, client, opts, d) {
			failures++
		}
	}
	if len(opts.bodies) > 1 {
		fmt.Fprintf(e.stdout, "%d sent, %d got 2xx, %d failed\n", sent, sent-failures, failures)
	}
	if failures > 0 || sent < len(opts.bodies) {
		return errFailed
	}
	return nil
}

func parseSend(e *env, args []string) (*sendOptions, error) {
	fs := flag.NewFlagSet("send", flag.ContinueOnError)
	target := fs.String("url", defaultSendURL, "endpoint `URL` to post to")
	var secretValues listFlag
	fs.Var(&secretValues, "secret",
		"signing `SECRET` (whsec_...); repeat it to sign with several")
	dataPath := fs.String("data", "",
		"send the body in `FILE` instead of a sample; - reads standard input")
	all := fs.Bool("all", false, "send a sample of each of the ten events")
	messageID := fs.String("message-id", "",
		"svix-id `ID` to send, the same for every delivery (default: a new one each)")
	timestamp := fs.String("timestamp", "",
		"signing `TIME`: Unix seconds, or an offset from now such as -10m (default: now)")
	webhookHeaders := fs.Bool("webhook-headers", false,
		"send webhook-id, webhook-timestamp and webhook-signature instead of svix-*")
	timeout := fs.Duration("timeout", svixTimeout,
		"how long to wait for each response, a `DURATION` such as 15s")

	positional, err := parseArgs(e, fs, sendHelpText, args)
	if err != nil {
		return nil, err
	}
	opts := &sendOptions{
		messageID:      *messageID,
		webhookHeaders: *webhookHeaders,
		timeout:        *timeout,
	}
	if opts.url, err = checkURL(*target); err != nil {
		return nil, err
	}
	if *timeout <= 0 {
		return nil, usageErrorf("--timeout %v: want a positive duration such as 15s", *timeout)
	}
	if opts.timestamp, err = parseTimestamp(e, *timestamp); err != nil {
		return nil, err
	}
	if opts.bodies, err = sendBodies(e, positional, *all, *dataPath); err != nil {
		return nil, err
	}
	secrets, err := secretsFrom(e, secretValues)
	if err != nil {
		return nil, err
	}
	if err := decodeSecrets(secrets); err != nil {
		return nil, err
	}
	opts.secrets = secrets.values
	return opts, nil
}

// sendBodies returns the deliveries that the arguments ask for.
func sendBodies(e *env, events []string, all bool, dataPath string) ([]outgoing, error) {
	switch {
	case all && dataPath != "":
		return nil, usageErrorf("--all and --data exclude each other; --all sends the ten samples")
	case all && len(events) > 0:
		return nil, usageErrorf("--all sends every event; drop %q or drop --all",
			strings.Join(events, " "))
	case all:
		events = eventTypeNames()
	case dataPath != "":
		return dataBody(e, events, dataPath)
	case len(events) == 0:
		return nil, usageErrorf("no event to send: name one such as order.shipped, " +
			"or pass --all or --data FILE")
	}
	deliveries := make([]outgoing, 0, len(events))
	for _, name := range events {
		typ, err := parseEventType(name)
		if err != nil {
			return nil, err
		}
		deliveries = append(deliveries,
			outgoing{label: string(typ), body: goodyhookstest.SamplePayload(typ)})
	}
	return deliveries, nil
}

// dataBody reads the body for --data. The event type printed for it is
// EVENT if given, or else the body's own event_type.
func dataBody(e *env, events []string, path string) ([]outgoing, error) {
	if len(events) > 1 {
		return nil, usageErrorf("--data sends one body; name at most one EVENT")
	}
	body, err := readInput(e, "data", path)
	if err != nil {
		return nil, err
	}
	var envelope struct {
		EventType string `json:"event_type"`
	}
	label := "(custom body)"
	if json.Unmarshal(body, &envelope) == nil && envelope.EventType != "" {
		label = envelope.EventType
	}
	if len(events) == 1 {
		if envelope.EventType != "" && envelope.EventType != events[0] {
			fmt.Fprintf(
				e.stderr,
				"goodyhooks send: warning: EVENT is %s but the body's event_type is %s; "+
					"the body is sent unchanged\n",
				events[0],
				envelope.EventType,
			)
		}
		label = events[0]
	}
	return []outgoing{{label: label, body: body}}, nil
}

// parseEventType returns the event type for a name given on the command
// line, taking the older gift_batch names as the current ones.
func parseEventType(name string) (goodyhooks.EventType, error) {
	switch name {
	case "gift_batch.created":
		return goodyhooks.EventOrderBatchCreated, nil
	case "gift_batch.completed":
		return goodyhooks.EventOrderBatchCompleted, nil
	}
	typ := goodyhooks.EventType(name)
	if !typ.Known() {
		return "", usageErrorf("unknown event %q; want one of %s", name,
			strings.Join(eventTypeNames(), ", "))
	}
	return typ, nil
}

func eventTypeNames() []string {
	var names []string
	for _, typ := range goodyhooks.EventTypes() {
		names = append(names, string(typ))
	}
	return names
}

func checkURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", usageErrorf("--url %q: want an absolute http or https URL such as %s", raw,
			defaultSendURL)
	}
	return raw, nil
}

// parseTimestamp returns the clock for --timestamp: a fixed time for
// Unix seconds, now plus the offset for a duration, or e.now.
func parseTimestamp(e *env, value string) (func() time.Time, error) {
	if value == "" {
		return e.now, nil
	}
	if seconds, err := strconv.ParseInt(value, 10, 64); err == nil {
		t := time.Unix(seconds, 0)
		return func() time.Time { return t }, nil
	}
	if offset, err := time.ParseDuration(value); err == nil {
		return func() time.Time { return e.now().Add(offset) }, nil
	}
	return nil, usageErrorf("--timestamp %q: want Unix seconds such as 1764862800 "+
		"or an offset from now such as -10m", value)
}

// sendLineFormat is the line printed for each delivery: event type,
// status, time taken and message id, in columns.
const sendLineFormat = "%-26s  %-24s  %8s  %s\n"

// sendOne posts one delivery, prints its line and reports whether the
// response status is 2xx.
func sendOne(e *env, client *http.Client, opts *sendOptions, d outgoing) bool {
	messageID := opts.messageID
	if messageID == "" {
		messageID = goodyhookstest.NewMessageID()
	}
	request, err := newSignedRequest(opts, d.body, messageID, opts.timestamp())
	if err != nil {
		fmt.Fprintf(e.stdout, "%-26s  error: %v\n", d.label, err)
		return false
	}

	start := time.Now()
	response, err := client.Do(request.WithContext(e.ctx))
	elapsed := time.Since(start)
	if err != nil {
		fmt.Fprintf(e.stdout, sendLineFormat, d.label, "no response", formatElapsed(elapsed),
			messageID)
		fmt.Fprintf(e.stdout, "  %s\n", sendErrorHint(opts, err))
		return false
	}
	defer response.Body.Close()
	const bodyLimit = 300
	responseText, _ := io.ReadAll(io.LimitReader(response.Body, bodyLimit))
	_, _ = io.Copy(io.Discard, io.LimitReader(response.Body, 1<<20))

	status := fmt.Sprintf("%d %s", response.StatusCode, http.StatusText(response.StatusCode))
	fmt.Fprintf(e.stdout, sendLineFormat, d.label, status, formatElapsed(elapsed), messageID)
	ok := response.StatusCode >= 200 && response.StatusCode < 300
	if !ok {
		if location := response.Header.Get("Location"); location != "" {
			fmt.Fprintf(e.stdout, "  redirect to %s, not followed; send to that URL instead\n",
				location)
		}
		if text := oneLine(responseText); text != "" {
			fmt.Fprintf(e.stdout, "  response: %s\n", text)
		}
	}
	return ok
}

// newSignedRequest builds the request for one delivery with the kit's
// signer, then adds a signature for each further secret.
func newSignedRequest(opts *sendOptions, body []byte, messageID string,
	timestamp time.Time) (*http.Request, error) {
	options := []goodyhookstest.Option{
		goodyhookstest.WithSecret(opts.secrets[0]),
		goodyhookstest.WithMessageID(messageID),
		goodyhookstest.WithTimestamp(timestamp),
	}
	signatureHeader := "Svix-Signature"
	if opts.webhookHeaders {
		options = append(options, goodyhookstest.WithWebhookHeaders())
		signatureHeader = "Webhook-Signature"
	}
	request, err := goodyhookstest.NewClientRequest(opts.url, body, options...)
	if err != nil {
		return nil, err
	}
	for _, secret := range opts.secrets[1:] {
		signature, err := goodyhookstest.Sign(secret, messageID, timestamp, body)
		if err != nil {
			return nil, err
		}
		request.Header.Set(signatureHeader, request.Header.Get(signatureHeader)+" "+signature)
	}
	return request, nil
}

// sendErrorHint explains a failed request and names what to check.
func sendErrorHint(opts *sendOptions, err error) string {
	var netErr net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Sprintf("connection refused: nothing listens at %s; start the server, "+
			"or run 'goodyhooks listen' to see what arrives", opts.url)
	case errors.Is(err, context.Canceled):
		return "interrupted before a response came"
	case errors.As(err, &netErr) && netErr.Timeout():
		return fmt.Sprintf("no response within %v; Svix counts this as a failure and retries, "+
			"so respond first and do slow work after", opts.timeout)
	}
	return fmt.Sprintf("request failed: %v", err)
}

// formatElapsed writes a duration in milliseconds, with one decimal
// under 10ms.
func formatElapsed(d time.Duration) string {
	ms := float64(d) / float64(time.Millisecond)
	if ms < 10 {
		return fmt.Sprintf("%.1fms", ms)
	}
	return fmt.Sprintf("%.0fms", ms)
}

// oneLine returns the start of a response body on one line, with control
// characters replaced, for printing.
func oneLine(text []byte) string {
	s := strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(string(text), "?"))
	return strings.Join(strings.Fields(s), " ")
}
