// Package api serves the catalog HTTP endpoints.
package api

import (
	"encoding/json"
	"net/http"

	"github.com/acme/catalog/internal/cache"
	"github.com/acme/catalog/internal/products"
)

// CatalogHandler answers GET /api/catalog: the products of a category, most popular first.
type CatalogHandler struct {
	Cache    *cache.LRU
	Products *products.Store
}

func (h *CatalogHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	category := r.URL.Query().Get("category")
	if body, ok := h.Cache.Get(category); ok {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
		return
	}
	list, err := h.Products.ByCategory(ctx, category, 50)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	body, _ := json.Marshal(list)
	h.Cache.Put(category, body)
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
}
