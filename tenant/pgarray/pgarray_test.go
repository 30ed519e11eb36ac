package pgarray_test

import (
	"database/sql/driver"
	"testing"

	"github.com/google/uuid"

	"github.com/cartable-ent/cartable/tenant/pgarray"
)

func TestLiterals(t *testing.T) {
	id := uuid.MustParse("0f8fad5b-d9cb-469f-a165-70867728950e")
	for _, c := range []struct {
		v    driver.Valuer
		want string
	}{
		{pgarray.Text{`a`, `b"c`, `d\e`, ``}, `{"a","b\"c","d\\e",""}`},
		{pgarray.Text{}, `{}`},
		{pgarray.UUIDs{id, id}, `{0f8fad5b-d9cb-469f-a165-70867728950e,0f8fad5b-d9cb-469f-a165-70867728950e}`},
		{pgarray.UUIDs(nil), `{}`},
	} {
		got, err := c.v.Value()
		if err != nil || got != c.want {
			t.Errorf("%#v: %v %v, want %s", c.v, got, err, c.want)
		}
	}
}
