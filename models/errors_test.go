package models

import (
	"errors"
	"fmt"
	"testing"
)

func TestInternalClassifiesStorageSentinels(t *testing.T) {
	for _, tc := range []struct {
		cause error
		want  Kind
	}{
		{errors.New("boom"), KindInternal},
		{fmt.Errorf("query: %w", ErrUnavailable), KindUnavailable},
		{fmt.Errorf("query: %w", ErrUnstorable), KindInvalid},
	} {
		e := Internal(tc.cause)
		if e.Kind != tc.want || KindOf(tc.cause) != tc.want {
			t.Errorf("%v: Internal gives %v, KindOf %v; want %v", tc.cause, e.Kind, KindOf(tc.cause), tc.want)
		}
		if !errors.Is(e, tc.cause) {
			t.Errorf("%v: the cause is lost", tc.cause)
		}
	}
	if e := Internal(ErrUnstorable); e.Public == "" || e.Public == "internal server error" {
		t.Errorf("unstorable input's public message: %q", e.Public)
	}
}
