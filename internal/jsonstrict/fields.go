package jsonstrict

import (
	"cmp"
	"encoding"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
)

var (
	unmarshalerType     = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
	numberType          = reflect.TypeFor[json.Number]()
	timeType            = reflect.TypeFor[time.Time]()
)

// fieldInfo describes a JSON-visible struct field.
type fieldInfo struct {
	typ    reflect.Type // the Go field's type
	quoted bool         // the ",string" option applies
}

// typeInfo is the cached reflection data for one non-pointer Go type.
type typeInfo struct {
	unmarshaler     bool                  // *T implements json.Unmarshaler
	textUnmarshaler bool                  // *T implements encoding.TextUnmarshaler
	fields          map[string]*fieldInfo // structs: fields by JSON name
}

var typeCache sync.Map // reflect.Type -> *typeInfo

// infoOf returns the reflection data for t, which is not a pointer type.
func infoOf(t reflect.Type) *typeInfo {
	if ti, ok := typeCache.Load(t); ok {
		return ti.(*typeInfo)
	}
	pt := reflect.PointerTo(t)
	ti := &typeInfo{
		unmarshaler:     pt.Implements(unmarshalerType),
		textUnmarshaler: pt.Implements(textUnmarshalerType),
	}
	if t.Kind() == reflect.Struct {
		ti.fields = structFields(t)
	}
	actual, _ := typeCache.LoadOrStore(t, ti)
	return actual.(*typeInfo)
}

// field is a candidate struct field found while resolving embedding.
type field struct {
	name   string
	tagged bool
	index  []int
	typ    reflect.Type // the Go field's type
	quoted bool
}

// structFields returns the fields of struct type t that encoding/json
// decodes into, by JSON name. It follows the rules of encoding/json's
// typeFields: exported fields, json tag names, "-" to skip, promoted fields
// of embedded structs, and Go's visibility rules for embedded fields where
// tagged fields dominate untagged ones at the same depth.
func structFields(t reflect.Type) map[string]*fieldInfo {
	current := []field{}
	next := []field{{typ: t}}
	var count, nextCount map[reflect.Type]int
	visited := map[reflect.Type]bool{}
	var fields []field

	for len(next) > 0 {
		current, next = next, current[:0]
		count, nextCount = nextCount, map[reflect.Type]int{}

		for _, f := range current {
			if visited[f.typ] {
				continue
			}
			visited[f.typ] = true

			for i := 0; i < f.typ.NumField(); i++ {
				sf := f.typ.Field(i)
				if sf.Anonymous {
					et := sf.Type
					if et.Kind() == reflect.Pointer {
						et = et.Elem()
					}
					if !sf.IsExported() && et.Kind() != reflect.Struct {
						continue
					}
				} else if !sf.IsExported() {
					continue
				}
				tag := sf.Tag.Get("json")
				if tag == "-" {
					continue
				}
				name, opts, _ := strings.Cut(tag, ",")
				if !isValidTag(name) {
					name = ""
				}
				index := make([]int, len(f.index)+1)
				copy(index, f.index)
				index[len(f.index)] = i

				ft := sf.Type
				if ft.Name() == "" && ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				quoted := false
				if hasOption(opts, "string") {
					switch ft.Kind() {
					case reflect.Bool,
						reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
						reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
						reflect.Float32, reflect.Float64,
						reflect.String:
						quoted = true
					}
				}

				if name != "" || !sf.Anonymous || ft.Kind() != reflect.Struct {
					tagged := name != ""
					if name == "" {
						name = sf.Name
					}
					fields = append(fields, field{name: name, tagged: tagged, index: index, typ: sf.Type, quoted: quoted})
					if count[f.typ] > 1 {
						// Multiple embeddings of the same type at this
						// depth: add a copy so the field is annihilated.
						fields = append(fields, fields[len(fields)-1])
					}
					continue
				}

				// An embedded struct to explore at the next depth.
				nextCount[ft]++
				if nextCount[ft] == 1 {
					next = append(next, field{name: ft.Name(), index: index, typ: ft})
				}
			}
		}
	}

	slices.SortFunc(fields, func(a, b field) int {
		if c := strings.Compare(a.name, b.name); c != 0 {
			return c
		}
		if c := cmp.Compare(len(a.index), len(b.index)); c != 0 {
			return c
		}
		if a.tagged != b.tagged {
			if a.tagged {
				return -1
			}
			return +1
		}
		return slices.Compare(a.index, b.index)
	})

	out := make(map[string]*fieldInfo, len(fields))
	for i := 0; i < len(fields); {
		j := i + 1
		for j < len(fields) && fields[j].name == fields[i].name {
			j++
		}
		// fields[i] dominates unless the next one is at the same depth
		// with the same taggedness, in which case the name is ambiguous
		// and encoding/json ignores it.
		if j-i == 1 || len(fields[i].index) != len(fields[i+1].index) || fields[i].tagged != fields[i+1].tagged {
			out[fields[i].name] = &fieldInfo{typ: fields[i].typ, quoted: fields[i].quoted}
		}
		i = j
	}
	return out
}

// hasOption reports whether the comma-separated tag options opts contain
// name.
func hasOption(opts, name string) bool {
	for opts != "" {
		var o string
		o, opts, _ = strings.Cut(opts, ",")
		if o == name {
			return true
		}
	}
	return false
}

// isValidTag reports whether s is usable as a JSON name in a struct tag,
// as encoding/json defines it.
func isValidTag(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		switch {
		case strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c):
		case !unicode.IsLetter(c) && !unicode.IsDigit(c):
			return false
		}
	}
	return true
}
