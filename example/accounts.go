package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"time"

	_ "modernc.org/sqlite" // pure Go: no cgo, nothing to install

	"github.com/linelogin/linelogin/callback"
)

// accounts is the app's own user table, linked to LINE user IDs as LINE's
// ID-linking guide (method 1) describes: the first login creates an
// account, every later login finds it.
type accounts struct {
	db *sql.DB
}

// defaultAccountsPath is where the example keeps its database when
// DATABASE_PATH is not set: outside the work tree, surviving restarts.
func defaultAccountsPath() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "linelogin-example", "accounts.db")
}

func openAccounts(path string) (*accounts, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("accounts: %w", err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		return nil, fmt.Errorf("accounts: %w", err)
	}
	db.SetMaxOpenConns(1) // SQLite writes one at a time
	if _, err := db.Exec(`CREATE TABLE IF NOT EXISTS accounts (
		id            INTEGER PRIMARY KEY AUTOINCREMENT,
		line_user_id  TEXT NOT NULL UNIQUE,
		created_at    INTEGER NOT NULL,
		last_login_at INTEGER NOT NULL
	)`); err != nil {
		db.Close()
		return nil, fmt.Errorf("accounts: %w", err)
	}
	return &accounts{db: db}, nil
}

// link is the OnLogin hook: it returns the account of the LINE user who
// just logged in, creating it on the first login. The key is the user ID
// LINE vouched for, never a profile field the user could change.
func (a *accounts) link(ctx context.Context, login *callback.Login) (string, error) {
	now := time.Now().Unix()
	var id int64
	err := a.db.QueryRowContext(ctx, `INSERT INTO accounts (line_user_id, created_at, last_login_at)
		VALUES (?, ?, ?)
		ON CONFLICT (line_user_id) DO UPDATE SET last_login_at = excluded.last_login_at
		RETURNING id`, login.User.ID, now, now).Scan(&id)
	if err != nil {
		return "", fmt.Errorf("accounts: link: %w", err)
	}
	return fmt.Sprintf("acct-%d", id), nil
}

func (a *accounts) Close() error { return a.db.Close() }
