// Command gin receives Goody webhooks in a gin engine. The webhook route
// hands the untouched request to goodyhooks with gin.WrapH and binds
// nothing, as README.md explains.
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

	"github.com/gin-gonic/gin"
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

// newRouter returns the service's engine with hooks mounted for POST on
// webhookPath, logging each request to logger.
func newRouter(hooks http.Handler, logger *slog.Logger) *gin.Engine {
	router := gin.New()
	// Recovery and the access log read no request body, so they may
	// apply to every route.
	router.Use(gin.Recovery(), accessLog(logger))

	// No binding here: goodyhooks reads the raw body itself, because
	// the signature covers the exact bytes.
	router.POST(webhookPath, gin.WrapH(hooks))

	api := router.Group("/api")
	api.POST("/notes", createNote)
	return router
}

// accessLog logs each request's method, path and status, and never its
// body.
func accessLog(logger *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		logger.InfoContext(c.Request.Context(), "request", "method", c.Request.Method,
			"path", c.FullPath(), "status", c.Writer.Status(), "duration", time.Since(start))
	}
}

// note is the JSON body of POST /api/notes.
type note struct {
	Text string `json:"text" binding:"required"`
}

// createNote is a placeholder for the service's own JSON routes, where
// binding is what gin is for.
func createNote(c *gin.Context) {
	var n note
	if err := c.ShouldBindJSON(&n); err != nil {
		c.JSON(http.StatusBadRequest, gin.H{"error": "invalid note: " + err.Error()})
		return
	}
	c.JSON(http.StatusCreated, n)
}

// newHooks returns the webhook handler with the service's callbacks.
func newHooks(secret string, logger *slog.Logger) (*goodyhooks.Handler, error) {
	hooks, err := goodyhooks.NewHandler(secret, goodyhooks.WithLogger(logger))
	if err != nil {
		return nil, err
	}
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
		Handler:           newRouter(hooks, logger),
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
