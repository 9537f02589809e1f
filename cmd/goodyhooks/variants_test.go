package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestJSONRewrites(t *testing.T) {
	tests := []struct {
		name    string
		rewrite func([]byte) []byte
		input   string
		want    string
	}{
		{
			"space",
			spaceJSON,
			`{"a":[1,2],"b":"x,y:z","c":"q\","}`,
			`{"a": [1, 2], "b": "x,y:z", "c": "q\","}`,
		},
		{"indent", indentJSON("  "), `{"a":[1]}`, "{\n  \"a\": [\n    1\n  ]\n}"},
		{"html escape", htmlEscapeJSON, `{"a":"<b>&"}`, `{"a":"\u003cb\u003e\u0026"}`},
		{"ascii escape", asciiEscapeJSON, `{"a":"é😀"}`, `{"a":"\u00e9\ud83d\ude00"}`},
		{"slash escape", escapeSlashes, `{"a":"http://x/\\/"}`, `{"a":"http:\/\/x\/\\\/"}`},
		{
			"unescape",
			unescapeJSON,
			`{"a":"\u00e9\ud83d\ude00\/\u003c\n\u0022\\u0041"}`,
			`{"a":"é😀/<\n\u0022\\u0041"}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.rewrite([]byte(tt.input))

			assert.Equal(t, tt.want, string(got))
			require.True(t, json.Valid(got), "rewritten JSON is not valid")
			var before, after any
			require.NoError(t, json.Unmarshal([]byte(tt.input), &before))
			require.NoError(t, json.Unmarshal(got, &after))
			assert.Equal(t, before, after, "the rewrite changed the JSON value")
		})
	}
}

func TestBodyVariants(t *testing.T) {
	body := []byte(`{"a": "b"}` + "\n")

	variants := bodyVariants(body, nil)

	seen := map[string]bool{string(body): true}
	for _, v := range variants {
		assert.False(t, seen[string(v.body)], "duplicate variant %q (%s)", v.body, v.change)
		seen[string(v.body)] = true
		assert.NotEmpty(t, v.change)
		assert.NotEmpty(t, v.explanation)
	}
	assert.True(t, seen[`{"a": "b"}`], "no variant without the trailing line break")
	assert.True(t, seen[`{"a": "b"}`+"\r\n"], "no variant with its line ending converted")
	assert.True(t, seen[`{"a":"b"}`], "no compact variant")
	assert.True(t, seen["{\n  \"a\": \"b\"\n}\n"], "no indented variant with a line break")
}

func TestBodyVariantsSmallestChangeFirst(t *testing.T) {
	tests := []struct {
		name       string
		body       string
		wantBody   string
		wantChange string
	}{
		{"one LF too many", "{}\n\n", "{}\n", "with one trailing line break removed"},
		{"one CRLF too many", "{}\r\n\r\n", "{}\r\n", "with one trailing line break removed"},
		{"LF added", "{}\n", "{}", "with one trailing line break removed"},
		{"LF removed", "{}", "{}\n", "with a line break added at its end"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			variants := bodyVariants([]byte(tt.body), nil)

			require.NotEmpty(t, variants)
			assert.Equal(t, tt.wantBody, string(variants[0].body))
			assert.Equal(t, tt.wantChange, variants[0].change)
		})
	}
}

func TestBodyVariantsAllTrailingBreaks(t *testing.T) {
	variants := bodyVariants([]byte("{}\n\n\n"), nil)

	var changes []string
	for _, v := range variants {
		if string(v.body) == "{}" {
			changes = append(changes, v.change)
		}
	}
	assert.Equal(t, []string{"with all its trailing line breaks removed"}, changes)
}

func TestBodyVariantsConvertedCapture(t *testing.T) {
	signed := "{\n  \"a\": \"b\"\n}\n"
	converted := strings.ReplaceAll(signed, "\n", "\r\n")
	// Content-Length, still that of the signed body, cuts the converted
	// body short.
	cut := converted[:len(signed)]

	variants := bodyVariants([]byte(cut), []byte(converted))

	var found *bodyVariant
	for i := range variants {
		if string(variants[i].body) == signed {
			found = &variants[i]
			break
		}
	}
	require.NotNil(t, found, "no variant restores the signed body")
	assert.Equal(t, "taken as everything after the headers, whatever Content-Length says, "+
		"with its CRLF line endings changed to LF", found.change)
	assert.Equal(t, explainConvertedCapture, found.explanation)
}
