// Package orders turns carts into orders.
package orders

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/google/uuid"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/codes"
)

var tracer = otel.Tracer("github.com/acme/checkout/internal/orders")

// Order is a placed order.
type Order struct {
	ID     string  `json:"id"`
	UserID int64   `json:"user_id"`
	Total  float64 `json:"total"`
}

// CreateOrderRequest is what the handler passes in.
type CreateOrderRequest struct {
	UserID  int64
	OrderID string // the id the client got on its first attempt, when it retries
	Retry   bool
}

// Service creates orders.
type Service struct {
	repo *Repository
	log  *slog.Logger
}

// NewService returns a Service storing orders through repo.
func NewService(repo *Repository, log *slog.Logger) *Service {
	return &Service{repo: repo, log: log}
}

// CreateOrder checks out the user's cart.
func (s *Service) CreateOrder(ctx context.Context, req CreateOrderRequest) (Order, error) {
	ctx, span := tracer.Start(ctx, "orders.CreateOrder")
	defer span.End()

	cart, err := s.repo.Cart(ctx, req.UserID)
	if err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
		return Order{}, fmt.Errorf("load cart of user %d: %w", req.UserID, err)
	}

	orderID := uuid.NewString()
	if req.Retry && req.OrderID != "" {
		// The client retries with the id it received the first time, so that a retry after a
		// timeout does not place two orders. The first attempt may already have inserted it.
		orderID = req.OrderID
		s.log.InfoContext(ctx, "client retry detected, reusing order id", "order_id", orderID, "user_id", req.UserID)
	}

	order := Order{ID: orderID, UserID: req.UserID, Total: cart.Total}
	if err := s.repo.Insert(ctx, order); err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
		return Order{}, fmt.Errorf("failed to create order %s for user %d: %w", orderID, req.UserID, err)
	}
	if err := s.repo.MarkCheckedOut(ctx, cart.ID); err != nil {
		s.log.WarnContext(ctx, "cart not marked as checked out", "cart_id", cart.ID, "err", err)
	}
	s.log.InfoContext(ctx, "order created", "order_id", orderID, "user_id", req.UserID, "total", cart.Total)
	return order, nil
}
