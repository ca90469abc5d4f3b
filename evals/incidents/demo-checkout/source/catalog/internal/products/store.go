// Package products reads the product catalogue.
package products

import (
	"context"
	"database/sql"
)

// Product is one catalogue entry.
type Product struct {
	ID         int64  `json:"id"`
	Name       string `json:"name"`
	PriceCents int64  `json:"price_cents"`
	Stock      int    `json:"stock"`
}

// Store reads products from PostgreSQL.
type Store struct{ db *sql.DB }

// NewStore returns a Store over db.
func NewStore(db *sql.DB) *Store { return &Store{db: db} }

const byCategory = "SELECT id, name, price_cents, stock FROM products WHERE category = $1 ORDER BY popularity DESC LIMIT $2"

// ByCategory returns up to limit products of a category.
func (s *Store) ByCategory(ctx context.Context, category string, limit int) ([]Product, error) {
	rows, err := s.db.QueryContext(ctx, byCategory, category, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Product
	for rows.Next() {
		var p Product
		if err := rows.Scan(&p.ID, &p.Name, &p.PriceCents, &p.Stock); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
