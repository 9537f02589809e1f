package goodyhooks_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"time"

	"github.com/goodyhooks/goodyhooks"
	"github.com/goodyhooks/goodyhooks/goodyhookstest"
)

// This example verifies Svix's published test delivery. The clock is
// set to the delivery's own time, since it was signed in 2021.
func ExampleVerifier_Verify() {
	verifier, err := goodyhooks.NewVerifier("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
		goodyhooks.WithClock(func() time.Time { return time.Unix(1614265330, 0) }))
	if err != nil {
		log.Fatal(err)
	}
	body := []byte(`{"test": 2432232314}`)
	header := http.Header{}
	header.Set("svix-id", "msg_p5jXN8AQM9LWM0D4loKWxJek")
	header.Set("svix-timestamp", "1614265330")
	header.Set("svix-signature", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")

	fmt.Println("genuine:", verifier.Verify(body, header))

	err = verifier.Verify([]byte(`{"test": 1}`), header)
	fmt.Println("tampered:", errors.Is(err, goodyhooks.ErrNoMatchingSignature))
	// Output:
	// genuine: <nil>
	// tampered: true
}

// This example verifies and decodes a request in a handler of one's
// own, as a service that already routes and answers its requests does.
func ExampleVerifier_ParseRequest() {
	verifier, err := goodyhooks.NewVerifier(goodyhookstest.Secret)
	if err != nil {
		log.Fatal(err)
	}
	handle := func(w http.ResponseWriter, r *http.Request) {
		event, err := verifier.ParseRequest(r)
		if err != nil {
			http.Error(w, "invalid webhook", http.StatusBadRequest)
			return
		}
		if e, ok := event.(*goodyhooks.OrderGiftAccepted); ok {
			fmt.Println("accepted order", e.Data.ID, "total", *e.Data.Amounts.AmountTotal, "cents")
		}
		w.WriteHeader(http.StatusNoContent)
	}

	r := goodyhookstest.NewRequest(goodyhookstest.SamplePayload(goodyhooks.EventOrderGiftAccepted))
	w := httptest.NewRecorder()
	handle(w, r)
	fmt.Println("status", w.Code)
	// Output:
	// accepted order 10c588dd-d566-45bf-86e9-c23bd1f1587b total 2250 cents
	// status 204
}

// This example decodes a body that was verified before, such as one
// read back from a queue.
func ExampleParse() {
	body, err := os.ReadFile("testdata/events/order_batch.created.json")
	if err != nil {
		log.Fatal(err)
	}
	event, err := goodyhooks.Parse(body)
	if err != nil {
		log.Fatal(err)
	}

	switch e := event.(type) {
	case *goodyhooks.OrderBatchCreated:
		fmt.Println(e.Type, e.Data.SendStatus, e.Data.OrdersCount, "orders")
		for _, order := range e.Data.OrdersPreview {
			fmt.Println(order.RecipientFirstName, order.IndividualGiftLink)
		}
	case *goodyhooks.UnknownEvent:
		fmt.Println("not handled yet:", e.Type)
	}
	// Output:
	// order_batch.created complete 2 orders
	// Ada https://gifts.ongoody.com/gift/Anc0HT0ZhyKAJguP75jt2Rar
	// Grace https://gifts.ongoody.com/gift/6p5k63B9ym4ksusHG6hr6xtA
}

// This example shows that an event type added by Goody after this
// version decodes instead of failing.
func ExampleParse_unknownEvent() {
	event, err := goodyhooks.Parse(
		[]byte(`{"event_type":"order.regifted","id":"e1","data":{"id":"o1"}}`),
	)
	if err != nil {
		log.Fatal(err)
	}
	unknown := event.(*goodyhooks.UnknownEvent)
	fmt.Println(unknown.Type, unknown.Type.Known(), string(unknown.Data))
	// Output:
	// order.regifted false {"id":"o1"}
}

// This example mounts a Handler and delivers a signed sample to it.
func ExampleHandler() {
	hooks, err := goodyhooks.NewHandler(goodyhookstest.Secret)
	if err != nil {
		log.Fatal(err)
	}
	hooks.OnOrderShipped(func(ctx context.Context, e *goodyhooks.OrderShipped) error {
		for _, s := range e.Data.Shipments {
			fmt.Println("order", e.Data.ID, "shipped with", *s.TrackingCarrier)
		}
		return nil
	})
	hooks.OnOrderGiftAccepted(func(ctx context.Context, e *goodyhooks.OrderGiftAccepted) error {
		return errors.New("inventory service unavailable")
	})

	mux := http.NewServeMux()
	mux.Handle("/webhooks/goody", hooks)

	for _, typ := range []goodyhooks.EventType{
		goodyhooks.EventOrderShipped,
		goodyhooks.EventOrderGiftAccepted,
		goodyhooks.EventOrderCreated,
	} {
		r := goodyhookstest.NewRequest(
			goodyhookstest.SamplePayload(typ),
			goodyhookstest.WithTarget("/webhooks/goody"),
		)
		status, _ := goodyhookstest.Serve(mux, r)
		fmt.Println(typ, status)
	}

	forged := httptest.NewRequest(
		http.MethodPost,
		"/webhooks/goody",
		strings.NewReader(`{"event_type":"order.shipped"}`),
	)
	status, body := goodyhookstest.Serve(mux, forged)
	fmt.Print("forged ", status, " ", body)
	// Output:
	// order 10c588dd-d566-45bf-86e9-c23bd1f1587b shipped with UPS
	// order.shipped 204
	// order.gift_accepted 500
	// order.created 204
	// forged 400 webhook verification failed
}

// This example reads and verifies a body under a 64 KiB limit, and
// shows that the request's body can still be read afterwards.
func ExampleVerifier_VerifyRequest() {
	verifier, err := goodyhooks.NewVerifier(
		goodyhookstest.Secret,
		goodyhooks.WithMaxBodyBytes(64<<10),
	)
	if err != nil {
		log.Fatal(err)
	}
	r := goodyhookstest.NewRequest(
		[]byte(`{"event_type":"order.created","id":"e1","data":{"status":"created"}}`),
	)

	body, err := verifier.VerifyRequest(r)
	fmt.Println(len(body), err)
	again, _ := io.ReadAll(r.Body)
	fmt.Println("body still readable:", len(again) == len(body))
	// Output:
	// 68 <nil>
	// body still readable: true
}
