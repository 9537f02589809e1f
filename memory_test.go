package goodyhooks_test

import (
	"errors"
	"math"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/goodyhooks/goodyhooks"
	"github.com/goodyhooks/goodyhooks/goodyhookstest"
)

// overLimitSlack is how many bytes past the body limit a request over
// the limit may cost: one 32 KiB read chunk, the step in which a body
// of unknown length is read. The rest of the request path allocates a
// few KiB.
const overLimitSlack = 32 << 10

// allocatedBytes returns the fewest bytes that fn allocated in any of
// runs calls, from the TotalAlloc counter of runtime.MemStats. The
// counter counts every goroutine, so the minimum over several calls
// leaves out allocations made elsewhere in the process.
func allocatedBytes(runs int, fn func()) uint64 {
	fewest := uint64(math.MaxUint64)
	var before, after runtime.MemStats
	for i := 0; i < runs; i++ {
		runtime.ReadMemStats(&before)
		fn()
		runtime.ReadMemStats(&after)
		if allocated := after.TotalAlloc - before.TotalAlloc; allocated < fewest {
			fewest = allocated
		}
	}
	return fewest
}

// oversizedRequest returns a signed POST request whose body yields
// oversizedBodyBytes bytes without holding them, with declaredLength
// as its Content-Length (-1 for unknown).
func oversizedRequest(declaredLength int64) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/", nil)
	r.Header = goodyhookstest.SignedHeader([]byte("unused"))
	r.Body = &patternReader{remaining: oversizedBodyBytes}
	r.ContentLength = declaredLength
	return r
}

// TestOversizedBodyMemory checks that a body over the limit costs at
// most the limit plus overLimitSlack bytes, and nothing like its own
// 8 MiB, whether or not its length is declared. The test must not run
// in parallel with others, since it counts all allocations.
func TestOversizedBodyMemory(t *testing.T) {
	const smallLimit = 64 << 10
	tests := []struct {
		name           string
		limit          int64
		declaredLength int64
		viaHandler     bool
		maxBytes       uint64
	}{
		{name: "handler, unknown length", limit: goodyhooks.DefaultMaxBodyBytes, declaredLength: -1,
			viaHandler: true, maxBytes: goodyhooks.DefaultMaxBodyBytes + overLimitSlack},
		{name: "handler, declared length", limit: goodyhooks.DefaultMaxBodyBytes, declaredLength: oversizedBodyBytes,
			viaHandler: true, maxBytes: overLimitSlack},
		{name: "VerifyRequest, unknown length", limit: smallLimit, declaredLength: -1,
			maxBytes: smallLimit + overLimitSlack},
		{name: "VerifyRequest, declared length", limit: smallLimit, declaredLength: oversizedBodyBytes,
			maxBytes: overLimitSlack},
		// A Body that is not from net/http may contain more bytes than
		// its Content-Length declares.
		{name: "VerifyRequest, length understated", limit: smallLimit, declaredLength: 1 << 10,
			maxBytes: smallLimit + overLimitSlack},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			handler, err := goodyhooks.NewHandler(goodyhookstest.Secret, goodyhooks.WithMaxBodyBytes(tt.limit))
			require.NoError(t, err)
			verifier, err := goodyhooks.NewVerifier(goodyhookstest.Secret, goodyhooks.WithMaxBodyBytes(tt.limit))
			require.NoError(t, err)

			var status int
			var verifyErr error
			allocated := allocatedBytes(5, func() {
				r := oversizedRequest(tt.declaredLength)
				if tt.viaHandler {
					recorder := httptest.NewRecorder()
					handler.ServeHTTP(recorder, r)
					status = recorder.Code
					return
				}
				_, verifyErr = verifier.VerifyRequest(r)
			})

			if tt.viaHandler {
				assert.Equal(t, http.StatusRequestEntityTooLarge, status)
			} else {
				var maxBytesErr *http.MaxBytesError
				assert.True(t, errors.As(verifyErr, &maxBytesErr), "error %v, want one wrapping *http.MaxBytesError", verifyErr)
			}
			assert.LessOrEqual(t, allocated, tt.maxBytes,
				"a body of %d bytes against a limit of %d allocated %d bytes", oversizedBodyBytes, tt.limit, allocated)
		})
	}
}
