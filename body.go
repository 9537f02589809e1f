package goodyhooks

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// readChunkSize is the step in which a body of unknown length is read.
// It bounds how far past the limit the memory for such a body can go.
const readChunkSize = 32 << 10

// preallocateMax is the largest declared length for which a buffer is
// allocated before the body arrives. Goody's largest payload, an order
// batch that previews 10 orders, is about 25 KiB. A larger declared length is read in chunks, so that
// memory grows with the bytes a client sends rather than with the length
// it claims.
const preallocateMax = 64 << 10

// readBody reads a whole request body of at most limit bytes. It reads
// no more than limit+1 bytes, and a body whose declared length is over
// the limit not at all. Over the limit it returns an error wrapping an
// *http.MaxBytesError. A body that ends before its declared length
// gives an error wrapping io.ErrUnexpectedEOF.
//
// A body with a declared length of at most preallocateMax is read into
// one buffer of exactly that size. A longer one, or one of unknown
// length such as a chunked one, is read in chunks and joined once at the
// end, so that a body over the limit costs at most the limit plus one
// chunk.
func readBody(body io.Reader, declaredLength, limit int64) ([]byte, error) {
	if body == nil || body == http.NoBody {
		return []byte{}, nil
	}
	if declaredLength > limit {
		return nil, tooLarge(limit)
	}
	if declaredLength > preallocateMax {
		buf, err := readChunked(body, limit)
		if err != nil {
			return nil, err
		}
		if int64(len(buf)) < declaredLength {
			return nil, readError(io.ErrUnexpectedEOF, declaredLength)
		}
		return buf, nil
	}
	if declaredLength >= 0 {
		buf := make([]byte, declaredLength)
		if _, err := io.ReadFull(body, buf); err != nil {
			return nil, readError(err, declaredLength)
		}
		// A Body that is not from net/http may hold more than declared.
		var extra [1]byte
		n, err := io.ReadFull(body, extra[:])
		if n == 0 && (err == io.EOF || err == io.ErrUnexpectedEOF) {
			return buf, nil
		}
		if err != nil && n == 0 {
			return nil, readError(err, -1)
		}
		rest, err := readChunked(
			io.MultiReader(bytes.NewReader(extra[:n]), body),
			limit-declaredLength,
		)
		if err != nil {
			if errors.As(err, new(*http.MaxBytesError)) {
				return nil, tooLarge(limit)
			}
			return nil, err
		}
		return append(buf, rest...), nil
	}
	return readChunked(body, limit)
}

// readChunked reads a body of unknown length of at most limit bytes.
func readChunked(body io.Reader, limit int64) ([]byte, error) {
	var chunks [][]byte
	var total int64
	for {
		// Each chunk is at most what remains of limit+1 bytes, written so
		// that a limit of math.MaxInt64 does not overflow.
		size := int64(readChunkSize)
		if remaining := limit - total; remaining < size-1 {
			size = remaining + 1
		}
		chunk := make([]byte, size)
		n, err := fill(body, chunk)
		chunks = append(chunks, chunk[:n])
		total += int64(n)
		if total > limit {
			return nil, tooLarge(limit)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, readError(err, -1)
		}
	}
	// The join also trims the spare capacity of the last chunk, which
	// Event.Raw would otherwise keep alive.
	joined := make([]byte, 0, total)
	for _, chunk := range chunks {
		joined = append(joined, chunk...)
	}
	return joined, nil
}

// fill reads into buf until it is full or body returns an error. Unlike
// io.ReadFull, it passes io.EOF on for a body that ends early, so that
// io.ErrUnexpectedEOF keeps meaning a body cut off mid-stream, as
// net/http reports a chunked body whose connection closed.
func fill(body io.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		read, err := body.Read(buf[n:])
		n += read
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

func tooLarge(limit int64) error {
	return fmt.Errorf(
		"goodyhooks: request body is larger than the limit of %d bytes; raise it with WithMaxBodyBytes "+
			"if Goody's payloads have grown: %w",
		limit,
		&http.MaxBytesError{Limit: limit},
	)
}

func readError(err error, declaredLength int64) error {
	var maxBytes *http.MaxBytesError
	if errors.As(err, &maxBytes) {
		return tooLarge(maxBytes.Limit)
	}
	if (err == io.ErrUnexpectedEOF || err == io.EOF) && declaredLength < 0 {
		return fmt.Errorf("goodyhooks: request body of unknown length was cut off before its end; "+
			"the client closed the connection early: %w", io.ErrUnexpectedEOF)
	}
	if err == io.ErrUnexpectedEOF || err == io.EOF {
		return fmt.Errorf("goodyhooks: request body ended before its declared %d bytes; "+
			"the client closed the connection early: %w", declaredLength, io.ErrUnexpectedEOF)
	}
	return fmt.Errorf("goodyhooks: failed to read request body: %w", err)
}
