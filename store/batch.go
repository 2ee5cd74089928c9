package store

import (
	"context"
	"encoding/json"

	"github.com/uptrace/bun"

	"github.com/authd/authd/models"
)

// Reads of many users at once: a fixed number of statements whatever the number of
// rows (one IN read per table), so list and login paths do not grow with the data.

// identities completes users with their roles and groups, in their order.
func (s *Store) identities(ctx context.Context, users []models.User) ([]models.Identity, error) {
	ids := make([]string, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	out := make([]models.Identity, len(users))
	if len(users) == 0 {
		return out, nil
	}
	// Roles and groups in one statement: every login and token refresh that is not
	// served from the cache reads them.
	var grants []struct {
		UserID string `bun:"user_id"`
		Kind   string `bun:"kind"`
		Name   string `bun:"name"`
	}
	if err := s.scanHot(ctx, &grants, s.grantsSQL(), s.idsArg(ids), s.idsArg(ids)); err != nil {
		return nil, err
	}
	byUser := make(map[string]*models.Identity, len(users))
	for i, u := range users {
		out[i] = models.Identity{User: u, Roles: []string{}, Groups: []string{}}
		byUser[u.ID] = &out[i]
	}
	for _, g := range grants {
		if id := byUser[g.UserID]; g.Kind == "role" {
			id.Roles = append(id.Roles, g.Name)
		} else {
			id.Groups = append(id.Groups, g.Name)
		}
	}
	return out, nil
}

// grantsSQL reads the roles and groups of the users in one list argument (idsArg),
// so that one text serves any number of users (queryHot).
func (s *Store) grantsSQL() string {
	in := "IN (SELECT value FROM json_each(?))"
	if s.dialect == Postgres {
		in = "= ANY(?)"
	}
	return `SELECT user_id, 'role' AS kind, role AS name FROM user_roles WHERE user_id ` + in + `
		UNION ALL SELECT user_id, 'group' AS kind, group_name AS name FROM user_groups WHERE user_id ` + in + `
		ORDER BY kind, name`
}

// idsArg is a list of IDs as one queryHot argument: a text array on Postgres, a JSON
// array on SQLite.
func (s *Store) idsArg(ids []string) any {
	if s.dialect == Postgres {
		return ids
	}
	b, _ := json.Marshal(ids) // strings always marshal
	return string(b)
}

// EmailsOfUsers lists the addresses of each of userIDs, oldest first.
func (s *Store) EmailsOfUsers(ctx context.Context, userIDs []string) (map[string][]models.Email, error) {
	out := make(map[string][]models.Email, len(userIDs))
	if len(userIDs) == 0 {
		return out, nil
	}
	var rows []models.Email
	err := s.db.NewSelect().Model(&rows).Where("user_id IN (?)", bun.List(userIDs)).Order("created_at ASC", "id ASC").Scan(ctx)
	if err != nil {
		return nil, translate(err)
	}
	for _, e := range rows {
		out[e.UserID] = append(out[e.UserID], e)
	}
	return out, nil
}
