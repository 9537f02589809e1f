// Command custom verifies Goody webhooks in a handler of its own, for a
// service that routes and responds to requests itself: it calls
// goodyhooks.Verifier.ParseRequest and switches on the event type.
//
// It reads the endpoint's signing secret from GOODYHOOKS_SECRET and
// listens on ADDR, 127.0.0.1:8080 by default:
//
//	GOODYHOOKS_SECRET=whsec_... go run ./examples/custom
package main

import (
	"errors"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/goodyhooks/goodyhooks"
)

func main() {
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	secret := os.Getenv("GOODYHOOKS_SECRET")
	if secret == "" {
		logger.Error(
			"GOODYHOOKS_SECRET is not set; export the endpoint's signing secret (whsec_...) from the Goody dashboard",
		)
		os.Exit(2)
	}
	addr := os.Getenv("ADDR")
	if addr == "" {
		addr = "127.0.0.1:8080"
	}

	verifier, err := goodyhooks.NewVerifier(secret)
	if err != nil {
		logger.Error("invalid secret", "error", err)
		os.Exit(2)
	}

	mux := http.NewServeMux()
	mux.HandleFunc("/webhooks/goody", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		event, err := verifier.ParseRequest(r)
		var tooLarge *http.MaxBytesError
		switch {
		case errors.As(err, &tooLarge):
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return
		case err != nil:
			// The reason goes to the log only, so that a forger learns
			// nothing from the response.
			logger.Warn("webhook rejected", "svix_id", r.Header.Get("svix-id"), "error", err)
			http.Error(w, "invalid webhook", http.StatusBadRequest)
			return
		}

		switch e := event.(type) {
		case *goodyhooks.OrderShipped:
			logger.Info("order shipped", "order_id", e.Data.ID, "shipments", len(e.Data.Shipments))
		case *goodyhooks.OrderCanceled:
			logger.Info("order canceled", "order_id", e.Data.ID)
		default:
			logger.Info("event not handled here", "type", e.Meta().Type, "svix_id", e.Meta().MessageID)
		}
		w.WriteHeader(http.StatusNoContent)
	})

	server := &http.Server{
		Addr:              addr,
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      20 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	logger.Info("listening", "addr", addr, "path", "/webhooks/goody")
	if err := server.ListenAndServe(); err != nil {
		logger.Error("server failed", "error", err)
		os.Exit(1)
	}
}
