// Command echo receives Goody webhooks in an echo server. The CSRF and
// body dump middleware skip the webhook route, as README.md explains.
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

	"github.com/goodyhooks/goodyhooks"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
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

// isWebhook reports whether c is a request to the webhook route. It is
// the Skipper of every middleware that must not touch a delivery.
func isWebhook(c echo.Context) bool {
	return c.Path() == webhookPath
}

// newServer returns the service's echo instance with hooks mounted for
// POST on webhookPath, logging to logger.
func newServer(hooks http.Handler, logger *slog.Logger) *echo.Echo {
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true

	e.Use(middleware.Recover())
	e.Use(middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogMethod:  true,
		LogURIPath: true,
		LogStatus:  true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			logger.InfoContext(c.Request().Context(), "request",
				"method", v.Method, "path", v.URIPath, "status", v.Status)
			return nil
		},
	}))
	// Svix sends no CSRF token, so the check would reject every
	// delivery with 400. The Svix signature authenticates it instead.
	e.Use(middleware.CSRFWithConfig(middleware.CSRFConfig{
		Skipper:        isWebhook,
		CookieHTTPOnly: true,
		CookieSameSite: http.SameSiteLaxMode,
	}))
	// The dump keeps the body readable, but Goody payloads carry names
	// and e-mail addresses, which must not reach the logs.
	e.Use(middleware.BodyDumpWithConfig(middleware.BodyDumpConfig{
		Skipper: isWebhook,
		Handler: func(c echo.Context, request, response []byte) {
			logger.DebugContext(c.Request().Context(), "body dump", "path", c.Path(),
				"request", string(request), "response", string(response))
		},
	}))

	e.POST(webhookPath, echo.WrapHandler(hooks))

	e.GET("/account/settings", showSettings)
	e.POST("/account/settings", saveSettings)
	return e
}

// showSettings is a placeholder for the service's own pages. It sends
// the CSRF token that a form post must return.
func showSettings(c echo.Context) error {
	token, _ := c.Get(middleware.DefaultCSRFConfig.ContextKey).(string)
	return c.String(http.StatusOK, token)
}

// saveSettings is a placeholder for the service's own form handlers.
func saveSettings(c echo.Context) error {
	return c.NoContent(http.StatusNoContent)
}

// newHooks returns the webhook handler with the service's callbacks.
func newHooks(secret string, logger *slog.Logger) (*goodyhooks.Handler, error) {
	hooks, err := goodyhooks.NewHandler(secret, goodyhooks.WithLogger(logger))
	if err != nil {
		return nil, err
	}
	hooks.OnOrderDelivered(func(ctx context.Context, e *goodyhooks.OrderDelivered) error {
		logger.InfoContext(ctx, "order delivered", "order_id", e.Data.ID, "shipments", len(e.Data.Shipments))
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
		Handler:           newServer(hooks, logger),
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
