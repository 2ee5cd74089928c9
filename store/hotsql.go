package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/authd/authd/models"
)

// hotSQL is a hot-path statement being written: its text, with a ? where each value
// goes, and the values in the same order, for queryHot. Writing both together keeps
// them in step however the statement is assembled (CTEs, inserts of models).
type hotSQL struct {
	text strings.Builder
	args []any
}

// sql appends literal SQL text (authd's own, never a value).
func (q *hotSQL) sql(parts ...string) *hotSQL {
	for _, p := range parts {
		q.text.WriteString(p)
	}
	return q
}

// value appends a placeholder for v. Nil bytes are NULL, as bun writes them (a
// driver may bind them as an empty blob).
func (q *hotSQL) value(v any) *hotSQL {
	if b, ok := v.([]byte); ok && b == nil {
		v = nil
	}
	q.text.WriteByte('?')
	q.args = append(q.args, v)
	return q
}

// insert appends "INSERT INTO table (columns) VALUES (?, ...)" for the model row (a
// pointer to a struct bun knows), as bun writes it on Postgres: a column whose value
// bun would write as DEFAULT (nil pointers, zero nullzero fields) is left out, so the
// column's default applies on both dialects. The text therefore depends only on which
// of those columns are set, and the statement is prepared once per shape.
func (s *Store) insert(q *hotSQL, row any) error {
	strct := reflect.ValueOf(row).Elem()
	table := s.root.Table(strct.Type())
	var cols []string
	var vals []any
	for _, f := range table.Fields {
		if (f.IsPtr && f.HasNilValue(strct)) || (f.HasZeroValue(strct) && (f.NullZero || f.SQLDefault != "")) {
			continue
		}
		v, err := s.driverValue(f.Value(strct))
		if err != nil {
			return fmt.Errorf("store: %s.%s: %w", table.Name, f.Name, err)
		}
		cols = append(cols, string(f.SQLName))
		vals = append(vals, v)
	}
	q.sql("INSERT INTO ", string(table.SQLName), " (", strings.Join(cols, ", "), ") VALUES (")
	for i, v := range vals {
		if i > 0 {
			q.sql(", ")
		}
		q.value(v)
	}
	q.sql(")")
	return nil
}

var valuerType = reflect.TypeFor[driver.Valuer]()

// driverValue is a model field's value as the driver takes it, standing for what bun
// would write: times as timeArg, slices and maps (other than bytes) as their JSON
// text (bun's default for them; every such column is TEXT), pointers followed.
func (s *Store) driverValue(v reflect.Value) (any, error) {
	if v.Type().Implements(valuerType) {
		return v.Interface(), nil
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return nil, nil
		}
		return s.driverValue(v.Elem())
	case reflect.String:
		return v.String(), nil
	case reflect.Bool:
		return v.Bool(), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int(), nil
	case reflect.Uint8, reflect.Uint16, reflect.Uint32:
		return int64(v.Uint()), nil
	case reflect.Float32, reflect.Float64:
		return v.Float(), nil
	case reflect.Slice, reflect.Map:
		if v.Type().Elem().Kind() == reflect.Uint8 && v.Kind() == reflect.Slice {
			if v.IsNil() {
				return nil, nil
			}
			return v.Bytes(), nil
		}
		b, err := json.Marshal(v.Interface())
		return string(b), err
	case reflect.Struct:
		if t, ok := v.Interface().(time.Time); ok {
			return s.timeArg(t), nil
		}
	}
	return nil, fmt.Errorf("no driver value for %s", v.Type())
}

// execOne runs q, which must change exactly one row: none is models.ErrNotFound.
func (s *Store) execOne(ctx context.Context, q *hotSQL) error {
	n, err := s.execHot(ctx, q)
	if err == nil && n == 0 {
		return models.ErrNotFound
	}
	return err
}

// query runs q and returns its rows (queryHot).
func (s *Store) query(ctx context.Context, q *hotSQL) (*sql.Rows, error) {
	return s.queryHot(ctx, q.text.String(), q.args...)
}
