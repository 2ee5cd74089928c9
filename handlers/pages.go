package handlers

import (
	"net/http"
	"strconv"

	"github.com/authd/authd/models"
)

// page is a parsed ?limit&page pair: limit 1-100 (default 10), page from 1 (default 1).
type page struct{ limit, number int }

func parsePage(r *http.Request) (page, error) {
	p := page{limit: 10, number: 1}
	q := r.URL.Query()
	for name, dst := range map[string]*int{"limit": &p.limit, "page": &p.number} {
		if raw := q.Get(name); raw != "" {
			n, err := strconv.Atoi(raw)
			if err != nil {
				return p, models.Invalid(name + " must be a whole number")
			}
			*dst = n
		}
	}
	if p.limit < 1 || p.limit > 100 || p.number < 1 {
		return p, models.Invalid("limit must be 1 to 100 and page at least 1")
	}
	return p, nil
}

// pages is how many pages of limit hold items.
func (p page) pages(items int) int { return (items + p.limit - 1) / p.limit }
