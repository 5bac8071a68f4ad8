package link

import (
	"context"
	"sync"
)

// MemoryStore is a Store in memory, for tests and single-instance demos:
// its links end with the process. The zero value is ready to use.
type MemoryStore struct {
	mu        sync.Mutex
	byLINE    map[string]string
	byAccount map[string]string
}

// Link links lineUserID and accountID unless either is linked elsewhere.
func (s *MemoryStore) Link(_ context.Context, lineUserID, accountID string) error {
	if !validID(lineUserID) || !validID(accountID) {
		return ErrInvalidID
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.byLINE == nil {
		s.byLINE, s.byAccount = map[string]string{}, map[string]string{}
	}
	acct, lineLinked := s.byLINE[lineUserID]
	user, acctLinked := s.byAccount[accountID]
	if lineLinked && acct == accountID {
		return nil
	}
	if lineLinked || acctLinked {
		return &ConflictError{LINEUser: lineLinked && acct != accountID, Account: acctLinked && user != lineUserID}
	}
	s.byLINE[lineUserID], s.byAccount[accountID] = accountID, lineUserID
	return nil
}

// AccountOf returns the account linked to lineUserID.
func (s *MemoryStore) AccountOf(_ context.Context, lineUserID string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a, ok := s.byLINE[lineUserID]; ok {
		return a, nil
	}
	return "", ErrNotLinked
}

// LINEUserOf returns the LINE user linked to accountID.
func (s *MemoryStore) LINEUserOf(_ context.Context, accountID string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u, ok := s.byAccount[accountID]; ok {
		return u, nil
	}
	return "", ErrNotLinked
}

// Unlink removes the link of accountID.
func (s *MemoryStore) Unlink(_ context.Context, accountID string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.byAccount[accountID]
	if !ok {
		return "", ErrNotLinked
	}
	delete(s.byAccount, accountID)
	delete(s.byLINE, u)
	return u, nil
}
