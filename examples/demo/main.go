// Command demo runs goodyhooks end to end with no setup. It serves a
// goodyhooks.Handler on a loopback port with a demo secret, signs each
// of Goody's ten documentation payloads as Svix does, posts them over
// real HTTP and prints what each callback received. Then it sends a
// tampered delivery, a replayed one and one signed with another secret,
// and shows each rejected with the reason the handler logged.
//
//	go run ./examples/demo
//
// It exits with status 1 if any step does not behave as expected.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/goodyhooks/goodyhooks"
	"github.com/goodyhooks/goodyhooks/goodyhookstest"
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "demo failed:", err)
		os.Exit(1)
	}
}

// demo holds the running server and what its callbacks and logger saw.
type demo struct {
	out    io.Writer
	secret string
	url    string
	client *http.Client

	mu        sync.Mutex
	received  []goodyhooks.Event
	rejection error
}

func run(out io.Writer) error {
	d := &demo{
		out:    out,
		secret: goodyhookstest.NewSecret(),
		client: &http.Client{Timeout: 15 * time.Second},
	}
	hooks, err := goodyhooks.NewHandler(d.secret, goodyhooks.WithLogger(slog.New(rejectionLog{d})))
	if err != nil {
		return err
	}
	hooks.OnDefault(func(_ context.Context, e goodyhooks.Event) error {
		d.mu.Lock()
		defer d.mu.Unlock()
		d.received = append(d.received, e)
		return nil
	})

	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("cannot listen on a loopback port: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/webhooks/goody", hooks)
	server := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go server.Serve(listener)
	defer server.Close()
	d.url = "http://" + listener.Addr().String() + "/webhooks/goody"

	fmt.Fprintf(out, "Serving goodyhooks.Handler at %s with a demo secret.\n", d.url)
	fmt.Fprintf(out, "Posting Goody's ten documentation payloads, signed as Svix signs them:\n\n")

	failures := 0
	for _, typ := range goodyhooks.EventTypes() {
		if err := d.deliverSample(typ); err != nil {
			fmt.Fprintf(out, "  FAILED: %v\n", err)
			failures++
		}
	}

	fmt.Fprintf(out, "\nSending deliveries that must be rejected:\n\n")
	for _, attack := range d.attacks() {
		if err := d.expectRejected(attack); err != nil {
			fmt.Fprintf(out, "  FAILED: %v\n", err)
			failures++
		}
	}

	total := len(goodyhooks.EventTypes()) + len(d.attacks())
	if failures > 0 {
		return fmt.Errorf("%d of %d steps did not behave as expected", failures, total)
	}
	fmt.Fprintf(out, "\nAll %d steps behaved as expected.\n", total)
	return nil
}

// deliverSample posts the documentation payload of typ and checks that
// the callback received that event.
func (d *demo) deliverSample(typ goodyhooks.EventType) error {
	body := goodyhookstest.SamplePayload(typ)
	r, err := goodyhookstest.NewClientRequest(d.url, body, goodyhookstest.WithSecret(d.secret))
	if err != nil {
		return err
	}
	status, err := d.post(r)
	if err != nil {
		return err
	}
	fmt.Fprintf(d.out, "%-28s -> %d %s\n", typ, status, http.StatusText(status))
	if status != http.StatusNoContent {
		return fmt.Errorf("%s: got status %d, want 204", typ, status)
	}

	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.received) == 0 {
		return fmt.Errorf("%s: no callback ran", typ)
	}
	event := d.received[len(d.received)-1]
	d.received = nil
	if event.Meta().Type != typ {
		return fmt.Errorf("the callback got %s, want %s", event.Meta().Type, typ)
	}
	if event.Meta().MessageID != r.Header.Get("svix-id") {
		return fmt.Errorf(
			"%s: the callback got message id %q, want %q",
			typ,
			event.Meta().MessageID,
			r.Header.Get("svix-id"),
		)
	}
	fmt.Fprintf(d.out, "    %s\n", describe(event))
	return nil
}

// attack is a delivery that the handler must reject.
type attack struct {
	name    string
	request *http.Request
	want    error
}

func (d *demo) attacks() []attack {
	shipped := goodyhookstest.SamplePayload(goodyhooks.EventOrderShipped)
	var attacks []attack

	tampered, _ := goodyhookstest.NewClientRequest(
		d.url,
		shipped,
		goodyhookstest.WithSecret(d.secret),
	)
	changed := strings.Replace(string(shipped), `"amount_total": 2250`, `"amount_total": 1`, 1)
	tampered.Body = io.NopCloser(strings.NewReader(changed))
	tampered.ContentLength = int64(len(changed))
	attacks = append(
		attacks,
		attack{"tampered body (amount_total changed)", tampered, goodyhooks.ErrNoMatchingSignature},
	)

	replayed, _ := goodyhookstest.NewClientRequest(
		d.url,
		shipped,
		goodyhookstest.WithSecret(d.secret),
		goodyhookstest.WithTimestamp(time.Now().Add(-time.Hour)),
	)
	attacks = append(
		attacks,
		attack{"replay signed an hour ago", replayed, goodyhooks.ErrTimestampTooOld},
	)

	forged, _ := goodyhookstest.NewClientRequest(d.url, shipped)
	attacks = append(
		attacks,
		attack{"signed with another secret", forged, goodyhooks.ErrNoMatchingSignature},
	)
	return attacks
}

func (d *demo) expectRejected(a attack) error {
	d.mu.Lock()
	d.rejection = nil
	d.mu.Unlock()

	status, err := d.post(a.request)
	if err != nil {
		return err
	}
	fmt.Fprintf(d.out, "%-38s -> %d %s\n", a.name, status, http.StatusText(status))

	d.mu.Lock()
	defer d.mu.Unlock()
	if status != http.StatusBadRequest {
		return fmt.Errorf("%s: got status %d, want 400", a.name, status)
	}
	if len(d.received) > 0 {
		return fmt.Errorf("%s: a callback ran for a rejected delivery", a.name)
	}
	if !errors.Is(d.rejection, a.want) {
		return fmt.Errorf("%s: logged reason %v, want %v", a.name, d.rejection, a.want)
	}
	fmt.Fprintf(d.out, "    logged reason: %v\n", d.rejection)
	return nil
}

func (d *demo) post(r *http.Request) (int, error) {
	resp, err := d.client.Do(r)
	if err != nil {
		return 0, fmt.Errorf("post to %s failed: %w", d.url, err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

// describe returns the fields of an event that matter for its type.
func describe(event goodyhooks.Event) string {
	switch e := event.(type) {
	case *goodyhooks.OrderBatchCreated:
		return describeBatch(&e.Data)
	case *goodyhooks.OrderBatchCompleted:
		return describeBatch(&e.Data)
	case *goodyhooks.OrderCreated:
		return describeOrder(&e.Data) + " gift link " + e.Data.IndividualGiftLink
	case *goodyhooks.OrderGiftOpened:
		return describeOrder(&e.Data) + fmt.Sprintf(" viewed %d times", e.Data.ViewCountRecipient)
	case *goodyhooks.OrderGiftAccepted:
		return describeOrder(&e.Data) + fmt.Sprintf(" total %s swapped=%t", cents(e.Data.Amounts.AmountTotal), e.Data.IsSwapped)
	case *goodyhooks.OrderThankYouNoteAdded:
		return describeOrder(&e.Data) + fmt.Sprintf(" note %q", text(e.Data.ThankYouNote))
	case *goodyhooks.OrderShipped:
		return describeOrder(&e.Data) + describeShipments(e.Data.Shipments)
	case *goodyhooks.OrderDelivered:
		return describeOrder(&e.Data) + describeShipments(e.Data.Shipments)
	case *goodyhooks.OrderCanceled:
		return describeOrder(&e.Data)
	case *goodyhooks.OrderRefunded:
		return describeOrder(&e.Data) + " refunded total " + cents(e.Data.Amounts.AmountTotal)
	}
	return fmt.Sprintf("unknown event %s", event.Meta().Type)
}

func describeOrder(o *goodyhooks.Order) string {
	return fmt.Sprintf("order %s status %s for %s", o.ID, o.Status, o.RecipientFirstName)
}

func describeBatch(b *goodyhooks.OrderBatch) string {
	names := make([]string, len(b.OrdersPreview))
	for i, o := range b.OrdersPreview {
		names[i] = o.RecipientFirstName
	}
	return fmt.Sprintf("batch %s %s, %d orders (preview: %s), %d recipients",
		b.ID, b.SendStatus, b.OrdersCount, strings.Join(names, ", "), b.RecipientsCount)
}

func describeShipments(shipments []goodyhooks.Shipment) string {
	var b strings.Builder
	for _, s := range shipments {
		fmt.Fprintf(&b, ", shipment %s via %s", s.Status, text(s.TrackingCarrier))
		if s.DeliveredAt != nil {
			fmt.Fprintf(&b, " delivered %s", s.DeliveredAt.Format("2006-01-02"))
		} else if s.DeliveryETA != nil {
			fmt.Fprintf(&b, " due %s", s.DeliveryETA.Format("2006-01-02"))
		}
	}
	return b.String()
}

func cents(amount *int64) string {
	if amount == nil {
		return "unknown"
	}
	return fmt.Sprintf("$%d.%02d", *amount/100, *amount%100)
}

func text(s *string) string {
	if s == nil {
		return "none"
	}
	return *s
}

// rejectionLog is a slog.Handler that keeps the error of the last
// request the handler rejected.
type rejectionLog struct{ d *demo }

func (l rejectionLog) Enabled(context.Context, slog.Level) bool { return true }
func (l rejectionLog) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l rejectionLog) WithGroup(string) slog.Handler            { return l }

func (l rejectionLog) Handle(_ context.Context, r slog.Record) error {
	r.Attrs(func(a slog.Attr) bool {
		if err, ok := a.Value.Any().(error); ok && a.Key == "error" {
			l.d.mu.Lock()
			l.d.rejection = err
			l.d.mu.Unlock()
		}
		return true
	})
	return nil
}
