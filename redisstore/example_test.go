package redisstore_test

import (
	"context"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/goodyhooks/goodyhooks"
	"github.com/goodyhooks/goodyhooks/redisstore"
	"github.com/redis/go-redis/v9"
)

// Every replica of the service runs this setup against the same Redis,
// so that each Svix message runs its callback on one replica only.
func Example() {
	client := redis.NewClient(&redis.Options{Addr: os.Getenv("REDIS_ADDR")})
	store, err := redisstore.New(client,
		// Longer than the slowest callback.
		redisstore.WithClaimTTL(30*time.Second))
	if err != nil {
		log.Fatal(err)
	}

	hooks, err := goodyhooks.NewHandler(os.Getenv("GOODYHOOKS_SECRET"),
		goodyhooks.WithIdempotencyStore(store))
	if err != nil {
		log.Fatal(err)
	}
	hooks.OnOrderShipped(func(ctx context.Context, e *goodyhooks.OrderShipped) error {
		// Runs once per Svix message across all replicas, unless its
		// claim expires while it runs. Returning an error releases the
		// claim, so that Svix's retry runs the callback again.
		return nil
	})

	mux := http.NewServeMux()
	mux.Handle("/webhooks/goody", hooks)
	log.Fatal(http.ListenAndServe(":8080", mux))
}
