package main

import (
	"encoding/json"
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
	assert.True(t, seen[`{"a":"b"}`], "no compact variant")
	assert.True(t, seen["{\n  \"a\": \"b\"\n}\n"], "no indented variant with a line break")
}
