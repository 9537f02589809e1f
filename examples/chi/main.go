// Command chi receives Goody webhooks in a chi router. The webhook route
// sits outside the route group whose middleware would reject or consume
// the request body, as README.md explains.
//
// It reads the endpoint's signing secret from GOODYHOOKS_SECRET and
// listens on ADDR, 127.0.0.1:8080 by default:
//
//	GOODYHOOKS_SECRET=whsec_... go run .
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

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/goodyhooks/goodyhooks"
)

// webhookPath is the URL path registered for the endpoint in the Goody
// dashboard.
const webhookPath = "/webhooks/goody"

func main() {
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(logger); err != nil {
		logger.Error("server failed", "error", err)
		os.Exit(1)
	}
}

// newRouter returns the service's router with hooks mounted for POST on
// webhookPath.
func newRouter(hooks http.Handler) http.Handler {
	r := chi.NewRouter()
	// These apply to every route, and none of them reads the body.
	r.Use(middleware.RequestID, middleware.RealIP, middleware.Recoverer)

	r.Method(http.MethodPost, webhookPath, hooks)

	// The rest of the service takes HTML form posts. Its middleware
	// would reject every Svix delivery, which is application/json,
	// with 415, so it applies to this group only.
	r.Group(func(r chi.Router) {
		r.Use(middleware.AllowContentType("application/x-www-form-urlencoded"))
		r.Use(middleware.RequestSize(16 << 10))
		r.Post("/account/settings", saveSettings)
	})
	return r
}

// saveSettings is a placeholder for the service's own form handlers.
func saveSettings(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "invalid form", http.StatusBadRequest)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// newHooks returns the webhook handler with the service's callbacks.
func newHooks(secret string, logger *slog.Logger) (*goodyhooks.Handler, error) {
	hooks, err := goodyhooks.NewHandler(secret, goodyhooks.WithLogger(logger))
	if err != nil {
		return nil, err
	}
	hooks.OnOrderShipped(func(ctx context.Context, e *goodyhooks.OrderShipped) error {
		for _, s := range e.Data.Shipments {
			logger.InfoContext(ctx, "order shipped", "order_id", e.Data.ID, "shipment_id", s.ID,
				"request_id", middleware.GetReqID(ctx))
		}
		return nil
	})
	hooks.OnDefault(func(ctx context.Context, e goodyhooks.Event) error {
		logger.InfoContext(ctx, "event received", "type", e.Meta().Type, "event_id", e.Meta().ID,
			"svix_id", e.Meta().MessageID, "request_id", middleware.GetReqID(ctx))
		return nil
	})
	return hooks, nil
}

func run(logger *slog.Logger) error {
	secret := os.Getenv("GOODYHOOKS_SECRET")
	if secret == "" {
		return errors.New("GOODYHOOKS_SECRET is not set; export the endpoint's signing secret (whsec_...) from the Goody dashboard")
	}
	addr := os.Getenv("ADDR")
	if addr == "" {
		addr = "127.0.0.1:8080"
	}
	hooks, err := newHooks(secret, logger)
	if err != nil {
		return err
	}

	// Svix waits 15 seconds for a response, so nothing here needs longer.
	server := &http.Server{
		Addr:              addr,
		Handler:           newRouter(hooks),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      20 * time.Second,
		IdleTimeout:       60 * time.Second,
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errs := make(chan error, 1)
	go func() {
		logger.Info("listening", "addr", addr, "path", webhookPath)
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
