package rules

import (
	"reflect"
	"testing"
)

// TestLoadedMerge checks that merge takes every field of Loaded: a field
// added to Loaded must be merged too, or loading in parallel loses it.
func TestLoadedMerge(t *testing.T) {
	var one Loaded
	v := reflect.ValueOf(&one).Elem()
	for i := range v.NumField() {
		f := v.Field(i)
		switch f.Kind() {
		case reflect.Slice:
			f.Set(reflect.MakeSlice(f.Type(), 1, 1))
		case reflect.Int:
			f.SetInt(1)
		default:
			t.Fatalf("Loaded.%s is a %s: teach merge and this test about it", v.Type().Field(i).Name, f.Kind())
		}
	}
	var l Loaded
	l.merge(&one)
	l.merge(&one)
	w := reflect.ValueOf(&l).Elem()
	for i := range w.NumField() {
		f := w.Field(i)
		n := int64(0)
		if f.Kind() == reflect.Slice {
			n = int64(f.Len())
		} else {
			n = f.Int()
		}
		if n != 2 {
			t.Errorf("merge does not take Loaded.%s", w.Type().Field(i).Name)
		}
	}
}
