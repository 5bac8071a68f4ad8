package middleware

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/linelogin/linelogin/link"
)

// tenantLinks is a tenant's view of the shared Linking.Store: both the
// LINE user IDs and the account IDs are prefixed with the tenant's
// channel ID and a colon on the way in, and the prefix is stripped on the
// way out, so that each tenant's LINE users and accounts are a namespace
// of their own. Tenants of one provider see the same LINE user IDs; a
// link made on one is not a link on another. (The tenant's Linking hooks
// see the IDs without the prefix.)
type tenantLinks struct {
	store  link.Store
	prefix string // the channel ID and ":"
}

func newTenantLinks(store link.Store, channelID string) *tenantLinks {
	return &tenantLinks{store: store, prefix: channelID + ":"}
}

func (s *tenantLinks) in(id string) string {
	if id == "" {
		return "" // stays invalid in the store
	}
	return s.prefix + id
}

func (s *tenantLinks) out(id string) string { return strings.TrimPrefix(id, s.prefix) }

// Link links the tenant's lineUserID and accountID.
func (s *tenantLinks) Link(ctx context.Context, lineUserID, accountID string) error {
	return s.store.Link(ctx, s.in(lineUserID), s.in(accountID))
}

// AccountOf returns the tenant's account linked to lineUserID.
func (s *tenantLinks) AccountOf(ctx context.Context, lineUserID string) (string, error) {
	acct, err := s.store.AccountOf(ctx, s.in(lineUserID))
	return s.out(acct), err
}

// LINEUserOf returns the tenant's LINE user linked to accountID.
func (s *tenantLinks) LINEUserOf(ctx context.Context, accountID string) (string, error) {
	user, err := s.store.LINEUserOf(ctx, s.in(accountID))
	return s.out(user), err
}

// Unlink removes the link of the tenant's accountID.
func (s *tenantLinks) Unlink(ctx context.Context, accountID string) (string, error) {
	user, err := s.store.Unlink(ctx, s.in(accountID))
	return s.out(user), err
}

// StoreFor returns Linking.Store as r's channel sees it: with
// Config.Tenants, the view of r's tenant, whose IDs are the tenant's own
// (the store keeps them prefixed with its channel ID); with one channel,
// Linking.Store itself. An app that reads or changes links itself (its
// account page, say) does it through StoreFor, so that it sees what the
// middleware sees (a change made through it counts for
// LinkedAccountFromContext within a second, as one made straight in the
// store). It fails with ErrUnknownTenant for a request of no
// tenant, and wraps ErrConfig without Config.Linking.
func (l *Links) StoreFor(r *http.Request) (link.Store, error) {
	a, err := l.a.at(r)
	if err != nil {
		return nil, err
	}
	if a.linking == nil {
		return nil, fmt.Errorf("%w: Links.StoreFor without Config.Linking", ErrConfig)
	}
	return a.linking.cfg.Store, nil
}
