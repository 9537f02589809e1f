// Command lambda receives Goody webhooks in an AWS Lambda function
// behind a function URL. It verifies each delivery with the headers that
// Lambda passes as a map with lower-case keys, decodes the event and
// dispatches it with a type switch.
//
// It reads the endpoint's signing secret from GOODYHOOKS_SECRET. Build
// it for the provided.al2023 runtime:
//
//	GOOS=linux GOARCH=arm64 go build -tags lambda.norpc -o bootstrap .
package main

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/goodyhooks/goodyhooks"
)

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	secret := os.Getenv("GOODYHOOKS_SECRET")
	if secret == "" {
		logger.Error("GOODYHOOKS_SECRET is not set; set it to the endpoint's signing secret (whsec_...) " +
			"from the Goody dashboard")
		os.Exit(1)
	}
	verifier, err := goodyhooks.NewVerifier(secret)
	if err != nil {
		logger.Error("invalid GOODYHOOKS_SECRET", "error", err)
		os.Exit(1)
	}
	f := &function{
		verifier: verifier,
		dispatch: func(ctx context.Context, event goodyhooks.Event) error {
			return handleEvent(ctx, logger, event)
		},
		logger: logger,
	}
	lambda.Start(f.handle)
}

// function responds to Lambda function URL invocations with the status
// codes that goodyhooks.Handler uses for HTTP requests. API Gateway HTTP APIs
// (payload format 2.0) send the same fields in
// events.APIGatewayV2HTTPRequest, so the same steps serve them.
type function struct {
	verifier *goodyhooks.Verifier
	// dispatch runs the service's code for a verified event. An error
	// makes the response 500, so that Svix retries.
	dispatch func(ctx context.Context, event goodyhooks.Event) error
	// store, if not nil, runs dispatch once per Svix message across all
	// concurrent instances of the function. Instances share no memory,
	// so it must be a shared store, such as redisstore's.
	store  goodyhooks.IdempotencyStore
	logger *slog.Logger
}

// handle verifies, decodes and dispatches one delivery. It returns 405
// for a method other than POST, 413 for a body over
// goodyhooks.DefaultMaxBodyBytes, 400 for a body that is not valid
// base64, fails verification or is not a Goody event, 500 when dispatch
// fails, and 204 otherwise. With a store it also returns 204 for a
// message already handled, 409 for one still running elsewhere and 503
// when the store fails. It never returns an error, so that every outcome
// reaches Svix as one of these status codes.
func (f *function) handle(ctx context.Context, request events.LambdaFunctionURLRequest) (events.LambdaFunctionURLResponse, error) {
	if method := request.RequestContext.HTTP.Method; method != http.MethodPost {
		response := f.reject(ctx, http.StatusMethodNotAllowed, "method not allowed; Goody webhooks use POST",
			fmt.Errorf("method %q is not POST", method))
		response.Headers["Allow"] = http.MethodPost
		return response, nil
	}

	body, err := decodeBody(request)
	if err != nil {
		if errors.Is(err, errBodyTooLarge) {
			return f.reject(ctx, http.StatusRequestEntityTooLarge, "request body too large", err), nil
		}
		return f.reject(ctx, http.StatusBadRequest, "cannot read request body", err), nil
	}

	// Function URLs and API Gateway pass header names in lower case,
	// which http.Header.Get does not find, so ParseMap canonicalizes
	// them before it verifies and decodes.
	event, err := f.verifier.ParseMap(body, request.Headers)
	if err != nil {
		if errors.Is(err, goodyhooks.ErrInvalidPayload) {
			return f.reject(ctx, http.StatusBadRequest, "invalid webhook payload", err), nil
		}
		return f.reject(ctx, http.StatusBadRequest, "webhook verification failed", err), nil
	}

	if f.store == nil {
		return f.run(ctx, event), nil
	}
	return f.runOnce(ctx, event), nil
}

// storeTimeout bounds each call to the store after dispatch.
const storeTimeout = 5 * time.Second

// errBodyTooLarge is wrapped by decodeBody for a body over the limit.
var errBodyTooLarge = errors.New("request body too large")

// decodeBody returns the raw body of request. Lambda base64-encodes the
// body of a request whose content type it takes for binary, and
// verifying the encoded text fails every signature.
func decodeBody(request events.LambdaFunctionURLRequest) ([]byte, error) {
	if !request.IsBase64Encoded {
		if len(request.Body) > goodyhooks.DefaultMaxBodyBytes {
			return nil, fmt.Errorf("%w: %d bytes, over the limit of %d", errBodyTooLarge,
				len(request.Body), goodyhooks.DefaultMaxBodyBytes)
		}
		return []byte(request.Body), nil
	}
	if n := base64.StdEncoding.DecodedLen(len(request.Body)); n > goodyhooks.DefaultMaxBodyBytes+2 {
		return nil, fmt.Errorf("%w: about %d bytes, over the limit of %d", errBodyTooLarge,
			n, goodyhooks.DefaultMaxBodyBytes)
	}
	body, err := base64.StdEncoding.DecodeString(request.Body)
	if err != nil {
		return nil, fmt.Errorf("body marked isBase64Encoded is not valid base64: %w", err)
	}
	if len(body) > goodyhooks.DefaultMaxBodyBytes {
		return nil, fmt.Errorf("%w: %d bytes, over the limit of %d", errBodyTooLarge,
			len(body), goodyhooks.DefaultMaxBodyBytes)
	}
	return body, nil
}

// run dispatches the event and returns 204, or 500 if dispatch fails.
func (f *function) run(ctx context.Context, event goodyhooks.Event) (response events.LambdaFunctionURLResponse) {
	// A panic gets 500, as goodyhooks.Handler responds to one, so
	// that the claim is released and Svix retries.
	defer func() {
		if value := recover(); value != nil {
			f.logEvent(ctx, slog.LevelError, "dispatch panicked", event, fmt.Errorf("panic: %v", value))
			response = textResponse(http.StatusInternalServerError, "webhook callback failed")
		}
	}()
	if err := f.dispatch(ctx, event); err != nil {
		f.logEvent(ctx, slog.LevelError, "dispatch failed", event, err)
		return textResponse(http.StatusInternalServerError, "webhook callback failed")
	}
	return textResponse(http.StatusNoContent, "")
}

// runOnce dispatches the event only if this invocation claims its Svix
// message in the store, with the statuses of goodyhooks.IdempotencyStore.
func (f *function) runOnce(ctx context.Context, event goodyhooks.Event) events.LambdaFunctionURLResponse {
	messageID := event.Meta().MessageID
	status, token, err := f.store.Claim(ctx, messageID)
	if err != nil {
		f.logEvent(ctx, slog.LevelError, "idempotency store failed", event, err)
		return textResponse(http.StatusServiceUnavailable, "temporarily unavailable; retry later")
	}
	switch status {
	case goodyhooks.ClaimDone:
		return textResponse(http.StatusNoContent, "")
	case goodyhooks.ClaimInProgress:
		f.logEvent(ctx, slog.LevelInfo, "duplicate delivery while the first is running", event, nil)
		return textResponse(http.StatusConflict, "this message is being handled; retry later")
	case goodyhooks.ClaimAcquired:
	default:
		f.logEvent(ctx, slog.LevelError, "idempotency store failed", event,
			fmt.Errorf("Claim returned unknown status %v", status))
		return textResponse(http.StatusServiceUnavailable, "temporarily unavailable; retry later")
	}

	response := f.run(ctx, event)

	// The outcome is recorded even if the invocation's context has ended,
	// with a deadline that starts only now, after the callback.
	storeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
	defer cancel()
	if response.StatusCode != http.StatusNoContent {
		if err := f.store.Release(storeCtx, messageID, token); err != nil {
			f.logEvent(ctx, slog.LevelError, "releasing a claim failed; retries get 409 until it expires", event, err)
		}
		return response
	}
	if err := f.store.Complete(storeCtx, messageID, token); err != nil {
		f.logEvent(ctx, slog.LevelError, "recording a handled message failed; a manual re-send may run it again",
			event, err)
	}
	return response
}

// reject logs why a delivery was rejected, which the response text
// leaves out, and returns the response.
func (f *function) reject(ctx context.Context, status int, text string, err error) events.LambdaFunctionURLResponse {
	f.logger.LogAttrs(ctx, slog.LevelWarn, "request rejected", slog.Int("status", status), slog.Any("error", err))
	return textResponse(status, text)
}

func (f *function) logEvent(ctx context.Context, level slog.Level, message string, event goodyhooks.Event, err error) {
	attrs := []slog.Attr{
		slog.String("svix_id", event.Meta().MessageID),
		slog.String("event_type", string(event.Meta().Type)),
		slog.String("event_id", event.Meta().ID),
	}
	if err != nil {
		attrs = append(attrs, slog.Any("error", err))
	}
	f.logger.LogAttrs(ctx, level, message, attrs...)
}

func textResponse(status int, text string) events.LambdaFunctionURLResponse {
	response := events.LambdaFunctionURLResponse{StatusCode: status, Headers: map[string]string{}}
	if text != "" {
		response.Headers["Content-Type"] = "text/plain; charset=utf-8"
		response.Body = text + "\n"
	}
	return response
}

// handleEvent is the service's code for each event type.
func handleEvent(ctx context.Context, logger *slog.Logger, event goodyhooks.Event) error {
	switch e := event.(type) {
	case *goodyhooks.OrderShipped:
		for _, s := range e.Data.Shipments {
			logger.InfoContext(ctx, "order shipped", "order_id", e.Data.ID, "shipment_id", s.ID)
		}
	case *goodyhooks.OrderGiftAccepted:
		var total int64
		if e.Data.Amounts.AmountTotal != nil {
			total = *e.Data.Amounts.AmountTotal
		}
		logger.InfoContext(ctx, "gift accepted", "order_id", e.Data.ID, "total_cents", total)
	case *goodyhooks.UnknownEvent:
		// A type newer than this goodyhooks version: acknowledge it, so
		// that Svix does not retry it, and upgrade to handle it.
		logger.WarnContext(ctx, "unknown event type", "type", e.Type, "event_id", e.ID)
	default:
		logger.InfoContext(ctx, "event received", "type", event.Meta().Type, "event_id", event.Meta().ID)
	}
	return nil
}
