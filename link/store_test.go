package link_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/linelogin/linelogin/internal/testkit"
	"github.com/linelogin/linelogin/link"
)

const (
	brown = "U1111111111111111111111111111111a"
	cony  = "U2222222222222222222222222222222b"
)

func openSQLite(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func newSQLStore(t *testing.T, path string) *link.SQLStore {
	t.Helper()
	s, err := link.NewSQLStore(context.Background(), openSQLite(t, path), link.SQLOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// stores runs f on each Store implementation, fresh: SQLStore on SQLite
// and on PostgreSQL, and MemoryStore.
func stores(t *testing.T, f func(t *testing.T, s link.Store)) {
	t.Run("sqlite", func(t *testing.T) { f(t, newSQLStore(t, filepath.Join(t.TempDir(), "links.db"))) })
	t.Run("postgres", func(t *testing.T) {
		db, opts := openPostgres(t)
		s, err := link.NewSQLStore(context.Background(), db, opts)
		if err != nil {
			t.Fatal(err)
		}
		f(t, s)
	})
	t.Run("memory", func(t *testing.T) { f(t, &link.MemoryStore{}) })
}

func TestStore_OneToOne(t *testing.T) {
	stores(t, func(t *testing.T, s link.Store) {
		ctx := context.Background()
		if _, err := s.AccountOf(ctx, brown); !errors.Is(err, link.ErrNotLinked) {
			t.Fatalf("AccountOf before linking: %v, want ErrNotLinked", err)
		}
		if err := s.Link(ctx, brown, "alice"); err != nil {
			t.Fatal(err)
		}
		if err := s.Link(ctx, brown, "alice"); err != nil {
			t.Errorf("linking the same pair again: %v, want nil", err)
		}
		var conflict *link.ConflictError
		err := s.Link(ctx, brown, "bob")
		if !errors.Is(err, link.ErrAlreadyLinked) || !errors.As(err, &conflict) || !conflict.LINEUser || conflict.Account {
			t.Errorf("LINE user linked elsewhere: %v %+v", err, conflict)
		}
		err = s.Link(ctx, cony, "alice")
		if !errors.Is(err, link.ErrAlreadyLinked) || !errors.As(err, &conflict) || conflict.LINEUser || !conflict.Account {
			t.Errorf("account linked elsewhere: %v %+v", err, conflict)
		}
		if errors.Is(err, link.ErrNotLinked) || errors.Is(err, link.ErrUnavailable) {
			t.Errorf("a conflict matches another category too: %v", err)
		}
		// Nothing was overwritten.
		if a, err := s.AccountOf(ctx, brown); a != "alice" || err != nil {
			t.Errorf("AccountOf(brown) = %q, %v", a, err)
		}
		if u, err := s.LINEUserOf(ctx, "alice"); u != brown || err != nil {
			t.Errorf("LINEUserOf(alice) = %q, %v", u, err)
		}
		if _, err := s.AccountOf(ctx, cony); !errors.Is(err, link.ErrNotLinked) {
			t.Errorf("cony linked after a refused link: %v", err)
		}

		if u, err := s.Unlink(ctx, "alice"); u != brown || err != nil {
			t.Errorf("Unlink(alice) = %q, %v", u, err)
		}
		if _, err := s.Unlink(ctx, "alice"); !errors.Is(err, link.ErrNotLinked) {
			t.Errorf("second Unlink: %v, want ErrNotLinked", err)
		}
		if err := s.Link(ctx, cony, "alice"); err != nil {
			t.Errorf("linking after unlink: %v", err)
		}
		if err := s.Link(ctx, "", "bob"); !errors.Is(err, link.ErrInvalidID) {
			t.Errorf("empty LINE user ID: %v", err)
		}
	})
}

// raceLinks makes 16 links at once, the i-th with try(i), and checks that
// exactly one succeeds and every other fails with ErrAlreadyLinked.
func raceLinks(t *testing.T, try func(i int) error) {
	t.Helper()
	const n = 16
	errs := make([]error, n)
	testkit.AtOnce(n, func(i int) { errs[i] = try(i) }, nil)
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, link.ErrAlreadyLinked):
			t.Errorf("a racing link failed with %v, want ErrAlreadyLinked", err)
		}
	}
	if won != 1 {
		t.Errorf("%d racing links succeeded, want 1", won)
	}
}

// TestStore_RacingLinksOneWins links one LINE user to many accounts at
// once: the database, not a read before the write, lets exactly one in.
func TestStore_RacingLinksOneWins(t *testing.T) {
	stores(t, func(t *testing.T, s link.Store) {
		raceLinks(t, func(i int) error {
			return s.Link(context.Background(), brown, "acct-"+string(rune('a'+i)))
		})
	})
}

func TestSQLStore_LinksSurviveRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "links.db")
	if err := newSQLStore(t, path).Link(context.Background(), brown, "alice"); err != nil {
		t.Fatal(err)
	}
	again := newSQLStore(t, path) // a new process on the same file
	if a, err := again.AccountOf(context.Background(), brown); a != "alice" || err != nil {
		t.Errorf("after reopening: %q, %v", a, err)
	}
}

func TestSQLStore_Options(t *testing.T) {
	db := openSQLite(t, filepath.Join(t.TempDir(), "links.db"))
	if _, err := link.NewSQLStore(context.Background(), db, link.SQLOptions{Table: "links; DROP TABLE x"}); err == nil {
		t.Error("a table name that is not an identifier was accepted")
	}
	s, err := link.NewSQLStore(context.Background(), db, link.SQLOptions{Table: "my_links"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Link(context.Background(), brown, "alice"); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM my_links`).Scan(&n); err != nil || n != 1 {
		t.Errorf("my_links holds %d rows (%v), want 1", n, err)
	}
	db.Close()
	if _, err := s.AccountOf(context.Background(), brown); !errors.Is(err, link.ErrUnavailable) {
		t.Errorf("closed database: %v, want ErrUnavailable", err)
	}
}

// TestStore_RacingLinksOfOneAccountOneWins links many LINE users to one
// account at once: exactly one link.
func TestStore_RacingLinksOfOneAccountOneWins(t *testing.T) {
	stores(t, func(t *testing.T, s link.Store) {
		raceLinks(t, func(i int) error {
			return s.Link(context.Background(), fmt.Sprintf("U%032d", i), "alice")
		})
		if u, err := s.LINEUserOf(context.Background(), "alice"); err != nil || u == "" {
			t.Errorf("alice: %q, %v", u, err)
		}
	})
}

// TestStore_RacingSameLink: one pair linked from many requests at once
// (a double-clicked button, retries) succeeds for all of them.
func TestStore_RacingSameLink(t *testing.T) {
	stores(t, func(t *testing.T, s link.Store) {
		var wg sync.WaitGroup
		errs := make([]error, 16)
		for i := range errs {
			wg.Go(func() { errs[i] = s.Link(context.Background(), brown, "alice") })
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Errorf("linking the same pair: %v", err)
			}
		}
	})
}

// TestStore_RacingLinkAndUnlink: links and unlinks of one account racing
// each other leave the store one to one.
func TestStore_RacingLinkAndUnlink(t *testing.T) {
	stores(t, func(t *testing.T, s link.Store) {
		ctx := context.Background()
		var wg sync.WaitGroup
		for i := range 32 {
			wg.Go(func() {
				var err error
				if i%2 == 0 {
					err = s.Link(ctx, fmt.Sprintf("U%032d", i%4), "alice")
				} else {
					_, err = s.Unlink(ctx, "alice")
				}
				if err != nil && !errors.Is(err, link.ErrAlreadyLinked) && !errors.Is(err, link.ErrNotLinked) {
					t.Errorf("racing link and unlink: %v", err)
				}
			})
		}
		wg.Wait()
		u, err := s.LINEUserOf(ctx, "alice")
		if errors.Is(err, link.ErrNotLinked) {
			return
		}
		if a, err2 := s.AccountOf(ctx, u); err != nil || err2 != nil || a != "alice" {
			t.Errorf("alice -> %q (%v), but %q -> %q (%v)", u, err, u, a, err2)
		}
	})
}

// TestStore_IDsEveryDatabaseStores: an ID with a NUL byte or invalid
// UTF-8 is ErrInvalidID everywhere (PostgreSQL refuses such text, which
// would read as an outage), never stored.
func TestStore_IDsEveryDatabaseStores(t *testing.T) {
	stores(t, func(t *testing.T, s link.Store) {
		ctx := context.Background()
		for _, bad := range []string{"acct\x00x", "acct\xff", strings.Repeat("a", link.MaxIDLength+1)} {
			if err := s.Link(ctx, brown, bad); !errors.Is(err, link.ErrInvalidID) {
				t.Errorf("account %q: %v, want ErrInvalidID", bad, err)
			}
			if err := s.Link(ctx, bad, "alice"); !errors.Is(err, link.ErrInvalidID) {
				t.Errorf("LINE user %q: %v, want ErrInvalidID", bad, err)
			}
			if _, err := s.AccountOf(ctx, bad); !errors.Is(err, link.ErrNotLinked) {
				t.Errorf("AccountOf(%q): %v, want ErrNotLinked", bad, err)
			}
			if _, err := s.Unlink(ctx, bad); !errors.Is(err, link.ErrNotLinked) {
				t.Errorf("Unlink(%q): %v, want ErrNotLinked", bad, err)
			}
		}
		// Multi-byte IDs up to the limit are fine.
		long := strings.Repeat("é", link.MaxIDLength/2)
		if err := s.Link(ctx, brown, long); err != nil {
			t.Errorf("account of %d bytes: %v", len(long), err)
		}
		if a, err := s.AccountOf(ctx, brown); a != long || err != nil {
			t.Errorf("AccountOf: %q, %v", a, err)
		}
	})
}

func TestEqual(t *testing.T) {
	f := link.Facts{MemberNumber: "M-1001", BirthDate: "1990-04-01"}
	for _, c := range []struct {
		g    link.Facts
		want bool
	}{
		{f, true},
		{link.Facts{MemberNumber: "M-1001", BirthDate: "1990-04-02"}, false},
		{link.Facts{MemberNumber: "M-1002", BirthDate: "1990-04-01"}, false},
		{link.Facts{MemberNumber: "M-100", BirthDate: "1990-04-01"}, false},
		{link.Facts{}, false},
	} {
		if got := link.Equal(f, c.g); got != c.want {
			t.Errorf("Equal(%v, %v) = %v", f, c.g, got)
		}
	}
}
