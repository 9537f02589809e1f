package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/goodyhooks/goodyhooks"
)

// binary is the goodyhooks command built once for all tests.
var binary string

// buildFlags are added to the go build of the binary; race_test.go
// adds -race when the tests run with it.
var buildFlags []string

// commandTimeout bounds every run of the binary.
const commandTimeout = 60 * time.Second

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "goodyhooks-cmd-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "create temporary directory:", err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "goodyhooks")
	args := append([]string{"build", "-o", binary}, buildFlags...)
	build := exec.Command(goTool(), append(args, ".")...)
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "go build of the goodyhooks command failed:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// goTool returns the go command of the toolchain running the tests.
func goTool() string {
	if path, err := exec.LookPath("go"); err == nil {
		return path
	}
	return filepath.Join(runtime.GOROOT(), "bin", "go")
}

// result is the outcome of one run of the binary.
type result struct {
	stdout string
	stderr string
	code   int
}

// baseEnv is the test's environment without GOODYHOOKS_SECRET, so that
// only the secrets a test passes reach the binary. A binary built with
// the race detector waits 1s at exit unless GORACE sets atexit_sleep_ms, and
// it still exits with status 66 when it finds a race.
func baseEnv() []string {
	env := []string{"GORACE=atexit_sleep_ms=0"}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, secretEnv+"=") && !strings.HasPrefix(kv, "GORACE=") {
			env = append(env, kv)
		}
	}
	return env
}

// runCommand runs the binary with args, extra environment variables
// and standard input, and waits for it to exit.
func runCommand(t *testing.T, env []string, stdin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = append(baseEnv(), env...)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr

	err := cmd.Run()
	require.NoError(t, ctx.Err(), "goodyhooks %s did not finish in %v",
		strings.Join(args, " "), commandTimeout)
	r := result{stdout: stdout.String(), stderr: stderr.String()}
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		r.code = exitErr.ExitCode()
	} else {
		require.NoError(t, err, "run goodyhooks %s", strings.Join(args, " "))
	}
	return r
}

// syncBuffer is a bytes.Buffer that a child process writes to while a
// test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// listenProcess is a running "goodyhooks listen".
type listenProcess struct {
	url    string
	cmd    *exec.Cmd
	stdout *syncBuffer
	stderr *syncBuffer
	done   chan error
}

var listenURL = regexp.MustCompile(`http://127\.0\.0\.1:\d+`)

// startListen starts "goodyhooks listen" on a free loopback port and
// waits for the line that gives its URL. The process is killed when the
// test ends if it is still running.
func startListen(t *testing.T, env []string, args ...string) *listenProcess {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	args = append([]string{"listen", "--addr", "127.0.0.1:0"}, args...)
	p := &listenProcess{
		cmd:    exec.CommandContext(ctx, binary, args...),
		stdout: &syncBuffer{},
		stderr: &syncBuffer{},
		done:   make(chan error, 1),
	}
	p.cmd.Env = append(baseEnv(), env...)
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, p.stderr
	require.NoError(t, p.cmd.Start())
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() {
		cancel()
		<-p.done
	})

	waitFor(t, p.stderr, "listening on", 1)
	p.url = listenURL.FindString(p.stderr.String())
	require.NotEmpty(t, p.url, "listen printed no URL; stderr: %s", p.stderr)
	return p
}

// stop sends SIGINT and returns the exit status.
func (p *listenProcess) stop(t *testing.T) int {
	t.Helper()
	require.NoError(t, p.cmd.Process.Signal(os.Interrupt))
	select {
	case err := <-p.done:
		p.done <- err
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			return exitErr.ExitCode()
		}
		require.NoError(t, err)
		return 0
	case <-time.After(commandTimeout):
		t.Fatal("listen did not stop within the timeout after SIGINT")
		return -1
	}
}

// waitFor waits until buf holds count copies of text.
func waitFor(t *testing.T, buf *syncBuffer, text string, count int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for strings.Count(buf.String(), text) < count {
		if time.Now().After(deadline) {
			t.Fatalf("want %d of %q in the output, got:\n%s", count, text, buf)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// secretFingerprint is the fingerprint the command prints for secret.
func secretFingerprint(t *testing.T, secret string) string {
	t.Helper()
	key, err := goodyhooks.DecodeSecret(secret)
	require.NoError(t, err)
	sum := sha256.Sum256(key)
	return hex.EncodeToString(sum[:4])
}

// assertNoSecret checks that no output contains the base64 part of any
// of the secrets.
func assertNoSecret(t *testing.T, output string, secrets ...string) {
	t.Helper()
	for _, secret := range secrets {
		assert.NotContains(t, output, strings.TrimPrefix(secret, "whsec_"),
			"output shows a secret")
	}
}
