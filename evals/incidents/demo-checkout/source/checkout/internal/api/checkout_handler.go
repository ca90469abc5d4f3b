// Package api serves the checkout HTTP endpoints.
package api

import (
	"encoding/json"
	"log/slog"
	"net/http"

	"github.com/acme/checkout/internal/orders"
)

// CheckoutHandler answers POST /api/checkout: turns the user's cart into an order.
type CheckoutHandler struct {
	Orders *orders.Service
	Log    *slog.Logger
}

type checkoutRequest struct {
	UserID  int64  `json:"user_id"`
	OrderID string `json:"order_id,omitempty"` // set by the client when it retries
}

func (h *CheckoutHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var req checkoutRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	order, err := h.Orders.CreateOrder(ctx, orders.CreateOrderRequest{
		UserID:  req.UserID,
		OrderID: req.OrderID,
		Retry:   r.Header.Get("X-Client-Retry") == "true",
	})
	if err != nil {
		h.Log.ErrorContext(ctx, err.Error())
		http.Error(w, "could not create order", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(order)
}
