package main

import (
	"encoding/json"
	"net"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/goodyhooks/goodyhooks"
	"github.com/goodyhooks/goodyhooks/goodyhookstest"
)

// textBlock is one record of listen's text output: the heading line and
// the rows under it by label, wrapped values joined.
type textBlock struct {
	heading string
	rows    map[string]string
}

func parseBlocks(t *testing.T, output string) []textBlock {
	t.Helper()
	var blocks []textBlock
	for _, chunk := range strings.Split(strings.TrimSpace(output), "\n\n") {
		lines := strings.Split(chunk, "\n")
		block := textBlock{heading: lines[0], rows: map[string]string{}}
		label := ""
		for _, line := range lines[1:] {
			if strings.HasPrefix(line, "   ") {
				block.rows[label] += " " + strings.TrimSpace(line)
				continue
			}
			var value string
			var ok bool
			label, value, ok = strings.Cut(strings.TrimSpace(line), "  ")
			require.True(t, ok, "row without a value: %q", line)
			block.rows[label] = strings.TrimSpace(value)
		}
		blocks = append(blocks, block)
	}
	return blocks
}

// sendLine matches a line of send's output for a 2xx response.
var sendLine = regexp.MustCompile(`(?m)^(\S+)\s+204 No Content\s+\S+\s+(msg_\w+)$`)

func TestListenSendAll(t *testing.T) {
	secret := goodyhookstest.NewSecret()
	listen := startListen(t, []string{secretEnv + "=" + secret})

	send := runCommand(t, nil, "", "send", "--all", "--url",
		listen.url+"/webhooks/goody", "--secret", secret)
	require.Equal(t, 0, send.code, "send --all failed:\n%s%s", send.stdout, send.stderr)
	assert.Contains(t, send.stdout, "10 sent, 10 got 2xx, 0 failed")
	messageIDs := map[string]string{}
	for _, match := range sendLine.FindAllStringSubmatch(send.stdout, -1) {
		messageIDs[match[1]] = match[2]
	}
	require.Len(t, messageIDs, 10, "send output:\n%s", send.stdout)

	waitFor(t, listen.stdout, " verified ", 10)
	require.Equal(t, 0, listen.stop(t))
	assert.Contains(t, listen.stderr.String(), "goodyhooks listen: stopped")
	assertNoSecret(t, listen.stdout.String()+listen.stderr.String()+send.stdout+send.stderr,
		secret)

	blocks := map[string]textBlock{}
	for _, block := range parseBlocks(t, listen.stdout.String()) {
		fields := strings.Fields(block.heading)
		require.Len(t, fields, 3, "heading %q", block.heading)
		assert.Equal(t, "verified", fields[1])
		blocks[fields[2]] = block
	}

	const (
		eventID      = "ad097c47-bf12-45c9-8feb-0536a0012c09"
		batchID      = "bd1fd5b5-6339-4331-a404-66200143ff0f"
		orderID      = "10c588dd-d566-45bf-86e9-c23bd1f1587b"
		otherOrderID = "8999f804-d731-440d-a67d-35444c12c493"
	)
	tests := []struct {
		typ  goodyhooks.EventType
		want map[string]string
	}{
		{goodyhooks.EventOrderBatchCreated, map[string]string{
			"batch id": batchID, "status": "complete", "orders count": "2", "recipients count": "2",
			"from name": "John",
			"order 1":   "1f6e253e-4d03-4a85-a349-0659384ac894 created, Ada Lovelace",
			"order 2":   "981c4abd-1f0c-4287-8c35-c7cea8f6f5da created, Grace Hopper",
		}},
		{goodyhooks.EventOrderBatchCompleted, map[string]string{
			"batch id": batchID, "status": "complete", "orders count": "2",
		}},
		{goodyhooks.EventOrderCreated, map[string]string{
			"order id": orderID, "status": "created", "recipient": "Ada Lovelace",
			"gift link": "https://gifts.ongoody.com/gift/vWtUe8lQRJuoyYzKlYeHMkbV",
		}},
		{goodyhooks.EventOrderGiftOpened, map[string]string{
			"order id": orderID, "status": "opened", "view count recipient": "0",
		}},
		{goodyhooks.EventOrderGiftAccepted, map[string]string{
			"order id": orderID, "status": "accepted", "amount total": "$22.50 (2250 cents)",
			"is swapped": "false", "products": "Cookie Company Cookies",
			"payment link": "https://checkout.ongoody.com/checkout?key=1on1dhtA3LekJgvxNZu83XqN",
		}},
		{goodyhooks.EventOrderThankYouNoteAdded, map[string]string{
			"order id": orderID, "status": "accepted", "thank you note": "Thanks for the gift!",
		}},
		{goodyhooks.EventOrderShipped, map[string]string{
			"order id": orderID, "status": "shipped",
			"shipment 1": "shipped, carrier UPS, shipped 2023-01-23T00:00:00Z, " +
				"eta 2023-01-26T00:00:00Z",
		}},
		{goodyhooks.EventOrderDelivered, map[string]string{
			"order id": orderID, "status": "shipped",
			"shipment 1": "delivered, carrier UPS, shipped 2023-01-23T00:00:00Z, " +
				"delivered 2023-01-26T00:00:00Z",
		}},
		{goodyhooks.EventOrderCanceled, map[string]string{
			"order id": otherOrderID, "status": "failed",
			"reference id": "2MUPN0YMGIDT7TJNPPFPB7WE",
		}},
		{goodyhooks.EventOrderRefunded, map[string]string{
			"order id": otherOrderID, "status": "shipped", "amount total": "$22.50 (2250 cents)",
		}},
	}
	for _, tt := range tests {
		t.Run(string(tt.typ), func(t *testing.T) {
			block, ok := blocks[string(tt.typ)]
			require.True(t, ok, "listen printed no %s event:\n%s", tt.typ, listen.stdout)
			assert.Equal(t, eventID, block.rows["event id"])
			assert.Equal(t, messageIDs[string(tt.typ)], block.rows["message id"])
			assert.Regexp(t, `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`, block.rows["signed at"])
			for label, want := range tt.want {
				assert.Equal(t, want, block.rows[label], "row %q", label)
			}
		})
	}
}

func TestListenJSONAndRejections(t *testing.T) {
	sandbox, production := goodyhookstest.NewSecret(), goodyhookstest.NewSecret()
	wrong := goodyhookstest.NewSecret()
	saveDir := t.TempDir()
	listen := startListen(t, nil, "--json", "--secret", sandbox, "--secret", production,
		"--path", "/hooks", "--save", saveDir)
	url := listen.url + "/hooks"

	// Flags after the event, the secret from the environment.
	ok := runCommand(t, []string{secretEnv + "=" + production}, "", "send",
		"order.shipped", "--url", url)
	require.Equal(t, 0, ok.code, ok.stdout+ok.stderr)
	wrongSecret := runCommand(t, nil, "", "send", "--url", url, "--secret", wrong,
		"order.created")
	assert.Equal(t, 1, wrongSecret.code)
	assert.Contains(t, wrongSecret.stdout, "400 Bad Request")
	assert.Contains(t, wrongSecret.stdout, "response: webhook verification failed")
	stale := runCommand(t, nil, "", "send", "order.delivered", "--url", url, "--secret",
		sandbox, "--timestamp", "-10m")
	assert.Equal(t, 1, stale.code)
	otherPath := runCommand(t, nil, "", "send", "order.canceled", "--url",
		listen.url+"/other", "--secret", sandbox)
	assert.Equal(t, 1, otherPath.code)
	assert.Contains(t, otherPath.stdout, "404 Not Found")

	waitFor(t, listen.stdout, "\n", 4)
	require.Equal(t, 0, listen.stop(t))
	assertNoSecret(t, listen.stdout.String()+listen.stderr.String(), sandbox, production, wrong)

	var records []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(listen.stdout.String()), "\n") {
		var record map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &record), "line %q", line)
		records = append(records, record)
	}
	require.Len(t, records, 4)

	verified := records[0]
	assert.Equal(t, "verified", verified["outcome"])
	assert.Equal(t, "order.shipped", verified["type"])
	assert.Equal(t, "10c588dd-d566-45bf-86e9-c23bd1f1587b", verified["order_id"])
	assert.Equal(t, "shipped", verified["status"])
	assert.Equal(t, "2 (sha256 "+secretFingerprint(t, production)+")", verified["secret"])
	require.Len(t, verified["shipments"], 1)
	shipment := verified["shipments"].([]any)[0].(map[string]any)
	assert.Equal(t, "UPS", shipment["tracking_carrier"])

	mismatch := records[1]
	assert.Equal(t, "rejected", mismatch["outcome"])
	assert.EqualValues(t, 400, mismatch["http_status"])
	assert.Contains(t, mismatch["reason"], "no matching signature")
	assert.Contains(t, mismatch["cause"], "No signature matches any of the 2 secrets")

	old := records[2]
	assert.Equal(t, "rejected", old["outcome"])
	assert.Contains(t, old["reason"], "timestamp too old")
	assert.Contains(t, old["cause"],
		"The signature matches secret 1 (sha256 "+secretFingerprint(t, sandbox)+")")

	notFound := records[3]
	assert.EqualValues(t, 404, notFound["http_status"])
	assert.Contains(t, notFound["reason"], "path /other is not served")

	// --save wrote each request on /hooks in the form verify reads.
	saved, err := filepath.Glob(filepath.Join(saveDir, "*.http"))
	require.NoError(t, err)
	assert.Len(t, saved, 3)
	secrets := []string{secretEnv + "=" + sandbox + "," + production}
	require.IsType(t, "", verified["saved_to"])
	again := runCommand(t, secrets, "", "verify", "--request", verified["saved_to"].(string))
	assert.Equal(t, 0, again.code, again.stdout+again.stderr)
	assert.Contains(t, again.stdout, "verified: the signature matches secret 2")
	require.IsType(t, "", mismatch["saved_to"])
	again = runCommand(t, secrets, "", "verify", "--request", mismatch["saved_to"].(string))
	assert.Equal(t, 1, again.code, again.stdout+again.stderr)
	assert.Contains(t, again.stdout, "not verified: no signature matches")
}

func TestListenAddressInUse(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer taken.Close()

	r := runCommand(t, nil, "", "listen", "--addr", taken.Addr().String(), "--secret",
		goodyhookstest.Secret)

	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "cannot listen on "+taken.Addr().String())
	assert.Contains(t, r.stderr, "pick another address with --addr")
}

func TestListenStartLine(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"any path", nil, `(http://127\.0\.0\.1:\d+/) \(any path\)\. Press Ctrl-C to stop\.\n`},
		{
			"one path",
			[]string{"--path", "/webhooks/goody"},
			`(http://127\.0\.0\.1:\d+/webhooks/goody) \(only this path\)\. Press Ctrl-C to stop\.\n`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			listen := startListen(t, []string{secretEnv + "=" + goodyhookstest.Secret}, tt.args...)
			line := listen.stderr.String()

			match := regexp.MustCompile(`^goodyhooks listen: listening on ` + tt.want).
				FindStringSubmatch(line)
			require.NotNil(t, match, "start-up line %q", line)
			// The URL as a terminal selects it, up to the next space,
			// reaches the listener.
			send := runCommand(t, nil, "", "send", "order.created", "--url", match[1],
				"--secret", goodyhookstest.Secret)
			assert.Equal(t, 0, send.code, send.stdout+send.stderr)
			require.Equal(t, 0, listen.stop(t))
		})
	}
}

func TestServerURL(t *testing.T) {
	tests := []struct {
		name string
		addr net.Addr
		path string
		want string
	}{
		{"IPv4 loopback", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}, "/",
			"http://127.0.0.1:8080/"},
		{"IPv4 unspecified", &net.TCPAddr{IP: net.IPv4zero, Port: 41234}, "/",
			"http://127.0.0.1:41234/"},
		{"IPv6 unspecified", &net.TCPAddr{IP: net.IPv6unspecified, Port: 41234}, "/hooks",
			"http://127.0.0.1:41234/hooks"},
		{"no IP", &net.TCPAddr{Port: 8080}, "/", "http://127.0.0.1:8080/"},
		{"IPv6 loopback", &net.TCPAddr{IP: net.IPv6loopback, Port: 8080}, "/",
			"http://[::1]:8080/"},
		{"other address", &net.TCPAddr{IP: net.IPv4(192, 0, 2, 7), Port: 80}, "/hooks",
			"http://192.0.2.7:80/hooks"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, serverURL(tt.addr, tt.path))
		})
	}
}
