package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"sigs.k8s.io/yaml"
)

// schemaProblems lists every field of config.yaml that File does not have
// and every value of the wrong kind, each with its path, so that one run
// names them all (a strict decoder stops at the first).
func schemaProblems(data []byte) []error {
	j, err := yaml.YAMLToJSON(data)
	if err != nil {
		return []error{err}
	}
	dec := json.NewDecoder(bytes.NewReader(j))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return []error{err}
	}
	var out []error
	walkSchema("", v, reflect.TypeOf(File{}), &out)
	return out
}

func walkSchema(path string, v any, t reflect.Type, out *[]error) {
	if v == nil { // null: the default
		return
	}
	bad := func(format string, a ...any) {
		at := ""
		if path != "" {
			at = path + ": "
		}
		*out = append(*out, fmt.Errorf(at+format, a...))
	}
	switch t.Kind() {
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			bad("must be a mapping of fields, not %s", kindOf(v))
			return
		}
		fields := map[string]reflect.Type{}
		var names []string
		for i := range t.NumField() {
			name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
			fields[name] = t.Field(i).Type
			names = append(names, name)
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			ft, ok := fields[k]
			if !ok {
				bad("unknown field %q (%s)", k, suggest(k, names))
				continue
			}
			walkSchema(joinPath(path, k), m[k], ft, out)
		}
	case reflect.Map:
		m, ok := v.(map[string]any)
		if !ok {
			bad("must be a mapping, not %s", kindOf(v))
			return
		}
		for _, k := range slices.Sorted(maps.Keys(m)) {
			walkSchema(fmt.Sprintf("%s[%q]", path, k), m[k], t.Elem(), out)
		}
	case reflect.Slice:
		l, ok := v.([]any)
		if !ok {
			bad("must be a list, not %s", kindOf(v))
			return
		}
		for i, e := range l {
			walkSchema(fmt.Sprintf("%s[%d]", path, i), e, t.Elem(), out)
		}
	case reflect.String:
		if _, ok := v.(string); !ok {
			bad("must be a string, not %s (quote it)", kindOf(v))
		}
	case reflect.Int:
		n, ok := v.(json.Number)
		if !ok {
			bad("must be a whole number, not %s", kindOf(v))
		} else if _, err := n.Int64(); err != nil {
			bad("%s is not a whole number", n)
		}
	case reflect.Pointer: // optional: null is handled above
		walkSchema(path, v, t.Elem(), out)
	case reflect.Bool:
		if _, ok := v.(bool); !ok {
			bad("must be true or false, not %s", kindOf(v))
		}
	}
}

func joinPath(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

func kindOf(v any) string {
	switch v := v.(type) {
	case string:
		return fmt.Sprintf("the string %q", v)
	case bool:
		return fmt.Sprintf("the boolean %v (yes, no, on and off are booleans in YAML)", v)
	case json.Number:
		return "the number " + v.String()
	case []any:
		return "a list"
	case map[string]any:
		return "a mapping"
	}
	return fmt.Sprintf("%v", v)
}

// suggest names the field k was probably meant to be, or lists them all.
func suggest(k string, names []string) string {
	best, bestD := "", 3
	for _, n := range names {
		if strings.EqualFold(n, k) {
			return "did you mean " + n + "?"
		}
		if d := editDistance(strings.ToLower(k), strings.ToLower(n)); d < bestD {
			best, bestD = n, d
		}
	}
	if best != "" {
		return "did you mean " + best + "?"
	}
	return "fields here: " + strings.Join(names, ", ")
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// Problems splits an error of Parse, ReadFile or Resolve into its
// problems, one error each, for printing one per line.
func Problems(err error) []error {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if m, ok := e.(interface{ Unwrap() []error }); ok {
			return m.Unwrap()
		}
	}
	if err == nil {
		return nil
	}
	return []error{err}
}
