package orders

import (
	"context"
	"database/sql"
)

// Repository stores orders in PostgreSQL.
type Repository struct {
	db *sql.DB
}

// NewRepository returns a Repository over db.
func NewRepository(db *sql.DB) *Repository { return &Repository{db: db} }

// Cart is the user's open cart.
type Cart struct {
	ID    int64
	Total float64
}

const cartQuery = "SELECT id, user_id, total FROM carts WHERE user_id = $1 AND checked_out_at IS NULL"

// Cart loads the open cart of a user.
func (r *Repository) Cart(ctx context.Context, userID int64) (Cart, error) {
	var c Cart
	var owner int64
	err := r.db.QueryRowContext(ctx, cartQuery, userID).Scan(&c.ID, &owner, &c.Total)
	return c, err
}

const insertOrder = "INSERT INTO orders (id, user_id, total) VALUES ($1, $2, $3)"

// Insert stores a new order. orders.id is the primary key: inserting an id that already exists
// fails with a unique violation (there is no ON CONFLICT clause).
func (r *Repository) Insert(ctx context.Context, o Order) error {
	_, err := r.db.ExecContext(ctx, insertOrder, o.ID, o.UserID, o.Total)
	return err
}

const markCheckedOut = "UPDATE carts SET checked_out_at = now() WHERE id = $1"

// MarkCheckedOut closes the cart once its order exists.
func (r *Repository) MarkCheckedOut(ctx context.Context, cartID int64) error {
	_, err := r.db.ExecContext(ctx, markCheckedOut, cartID)
	return err
}
