package link_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"os"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/linelogin/linelogin/internal/testkit"
	"github.com/linelogin/linelogin/link"
)

// openPostgres opens the PostgreSQL of POSTGRES_URL (`make test` starts a
// throwaway one with scripts/with-postgres) and returns the options of a
// table of t's own, dropped at cleanup. Without POSTGRES_URL the test
// fails: SQLStore claims PostgreSQL, so its tests must run there (under
// -short, it is skipped).
func openPostgres(t *testing.T) (*sql.DB, link.SQLOptions) {
	t.Helper()
	url := os.Getenv("POSTGRES_URL")
	if url == "" {
		testkit.LongOnly(t, "no POSTGRES_URL")
		t.Fatal("POSTGRES_URL is not set: run the tests under scripts/with-postgres (make test does)")
	}
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	table := "line_links_" + strings.ToLower(rand.Text()[:12])
	t.Cleanup(func() {
		if _, err := db.Exec("DROP TABLE IF EXISTS " + table); err != nil {
			t.Errorf("dropping %s: %v", table, err)
		}
	})
	return db, link.SQLOptions{Table: table, NumberedPlaceholders: true}
}

func TestSQLStore_PostgresLinksSurviveRestart(t *testing.T) {
	db, opts := openPostgres(t)
	s, err := link.NewSQLStore(context.Background(), db, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Link(context.Background(), brown, "alice"); err != nil {
		t.Fatal(err)
	}
	// A new process: a new pool, the table there already.
	db2, err := sql.Open("pgx", os.Getenv("POSTGRES_URL"))
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	again, err := link.NewSQLStore(context.Background(), db2, opts)
	if err != nil {
		t.Fatal(err)
	}
	if a, err := again.AccountOf(context.Background(), brown); a != "alice" || err != nil {
		t.Errorf("after reopening: %q, %v", a, err)
	}
	db2.Close()
	if _, err := again.AccountOf(context.Background(), brown); !errors.Is(err, link.ErrUnavailable) {
		t.Errorf("closed database: %v, want ErrUnavailable", err)
	}
}

// TestSQLStore_PostgresStartsConcurrently: instances starting together
// each create the table if it is missing, and all start.
func TestSQLStore_PostgresStartsConcurrently(t *testing.T) {
	db, opts := openPostgres(t)
	errs := make(chan error, 8)
	for range cap(errs) {
		go func() {
			_, err := link.NewSQLStore(context.Background(), db, opts)
			errs <- err
		}()
	}
	for range cap(errs) {
		if err := <-errs; err != nil {
			t.Errorf("NewSQLStore: %v", err)
		}
	}
}
