package redisstore_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
)

// redisServer is a redis-server process that a test started on a free
// loopback port, with persistence off.
type redisServer struct {
	t      *testing.T
	binary string
	port   int
	dir    string

	mu     sync.Mutex
	cmd    *exec.Cmd
	output *bytes.Buffer
	exited chan struct{}
}

// startRedis starts a redis-server for the test and stops it when the
// test ends. Without the redis-server binary, the test fails when the
// CI variable is set and is skipped otherwise.
func startRedis(t *testing.T) *redisServer {
	t.Helper()
	binary, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("redis-server not found in PATH: %v; install it, for example with apt-get install redis-server", err)
		}
		t.Skipf("redis-server not found in PATH, so the Redis tests are skipped: %v", err)
	}

	server := &redisServer{t: t, binary: binary, port: freePort(t), dir: t.TempDir()}
	server.Start()
	t.Cleanup(server.Stop)
	return server
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err, "finding a free loopback port")
	port := listener.Addr().(*net.TCPAddr).Port
	require.NoError(t, listener.Close())
	return port
}

// Addr returns the server's host:port.
func (s *redisServer) Addr() string {
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port))
}

// Start starts the server on its port and waits until it responds to
// PING. Data written before a Stop is gone after the next Start.
func (s *redisServer) Start() {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	require.Nil(s.t, s.cmd, "redis-server is already running")

	cmd := exec.Command(s.binary,
		"--port", strconv.Itoa(s.port),
		"--bind", "127.0.0.1",
		"--save", "",
		"--appendonly", "no",
		"--dir", s.dir,
		"--daemonize", "no")
	output := &bytes.Buffer{}
	cmd.Stdout = output
	cmd.Stderr = output
	require.NoError(s.t, cmd.Start(), "starting %s", s.binary)

	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	s.cmd, s.output, s.exited = cmd, output, exited

	if err := s.waitReady(exited); err != nil {
		s.stopLocked()
		s.t.Fatalf("redis-server on port %d did not start: %v\noutput:\n%s", s.port, err, output)
	}
}

// waitReady pings the server until it responds, it exits, or 10 seconds
// pass.
func (s *redisServer) waitReady(exited <-chan struct{}) error {
	client := redis.NewClient(&redis.Options{
		Addr:        s.Addr(),
		DialTimeout: 200 * time.Millisecond,
		ReadTimeout: 200 * time.Millisecond,
		MaxRetries:  -1,
	})
	defer client.Close()

	deadline := time.Now().Add(10 * time.Second)
	for {
		err := client.Ping(context.Background()).Err()
		if err == nil {
			return nil
		}
		select {
		case <-exited:
			return fmt.Errorf("redis-server exited: %w", err)
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no answer to PING within 10s: %w", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Stop kills the server and waits for it to exit. Stopping a stopped
// server does nothing.
func (s *redisServer) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopLocked()
}

func (s *redisServer) stopLocked() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	<-s.exited
	s.cmd = nil
}

// newClient returns a client of the server that fails fast while the
// server is down, and closes it when the test ends.
func (s *redisServer) newClient() *redis.Client {
	s.t.Helper()
	client := redis.NewClient(&redis.Options{
		Addr:        s.Addr(),
		DialTimeout: time.Second,
		ReadTimeout: time.Second,
		MaxRetries:  1,
	})
	s.t.Cleanup(func() { _ = client.Close() })
	return client
}
