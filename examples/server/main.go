// Command server receives Goody webhooks with net/http: it mounts a
// goodyhooks.Handler on an http.ServeMux and logs each event it gets.
//
// It reads the endpoint's signing secret from GOODYHOOKS_SECRET and
// listens on ADDR, 127.0.0.1:8080 by default:
//
//	GOODYHOOKS_SECRET=whsec_... go run ./examples/server
package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/goodyhooks/goodyhooks"
)

func main() {
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(logger); err != nil {
		logger.Error("server failed", "error", err)
		os.Exit(1)
	}
}

func run(logger *slog.Logger) error {
	secret := os.Getenv("GOODYHOOKS_SECRET")
	if secret == "" {
		return errors.New(
			"GOODYHOOKS_SECRET is not set; export the endpoint's signing secret (whsec_...) from the Goody dashboard",
		)
	}
	addr := os.Getenv("ADDR")
	if addr == "" {
		addr = "127.0.0.1:8080"
	}

	hooks, err := goodyhooks.NewHandler(secret, goodyhooks.WithLogger(logger))
	if err != nil {
		return err
	}
	hooks.OnOrderShipped(func(ctx context.Context, e *goodyhooks.OrderShipped) error {
		for _, s := range e.Data.Shipments {
			logger.InfoContext(
				ctx,
				"order shipped",
				"order_id",
				e.Data.ID,
				"shipment_id",
				s.ID,
				"status",
				s.Status,
			)
		}
		return nil
	})
	hooks.OnOrderGiftAccepted(func(ctx context.Context, e *goodyhooks.OrderGiftAccepted) error {
		var total int64
		if e.Data.Amounts.AmountTotal != nil {
			total = *e.Data.Amounts.AmountTotal
		}
		logger.InfoContext(ctx, "gift accepted", "order_id", e.Data.ID, "total_cents", total)
		return nil
	})
	hooks.OnDefault(func(ctx context.Context, e goodyhooks.Event) error {
		logger.InfoContext(ctx, "event received", "type", e.Meta().Type, "event_id", e.Meta().ID,
			"svix_id", e.Meta().MessageID)
		return nil
	})

	mux := http.NewServeMux()
	mux.Handle("/webhooks/goody", hooks)

	// Svix waits 15 seconds for a response, so nothing here needs longer.
	server := &http.Server{
		Addr:              addr,
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      20 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errs := make(chan error, 1)
	go func() {
		logger.Info("listening", "addr", addr, "path", "/webhooks/goody")
		errs <- server.ListenAndServe()
	}()

	select {
	case err := <-errs:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return server.Shutdown(shutdownCtx)
}
