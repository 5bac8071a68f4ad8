package main

import (
	"context"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	_ "modernc.org/sqlite" // pure Go: no cgo, nothing to install

	"github.com/linelogin/linelogin/callback"
	"github.com/linelogin/linelogin/link"
)

// accounts is the app's own user table (accounts with a password, a
// membership number and a birth date, imported from ACCOUNTS_FILE, and
// accounts that LINE users signed up for) and its links to LINE user IDs,
// as LINE's ID-linking guide describes.
type accounts struct {
	db    *sql.DB
	links *link.SQLStore
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

// removeAccounts deletes the database at path, with SQLite's side files:
// the -reset flag's clean start. A database that is not there is no error.
func removeAccounts(path string) error {
	for _, p := range []string{path, path + "-wal", path + "-shm", path + "-journal"} {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("accounts: reset: %w", err)
		}
	}
	return nil
}

// schema is the app's own tables; the links are link.SQLStore's.
const schema = `
CREATE TABLE IF NOT EXISTS app_accounts (
	account_id    TEXT NOT NULL PRIMARY KEY,
	password_hash TEXT,
	member_number TEXT UNIQUE,
	birth_date    TEXT,
	created_at    INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS signups (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS app_sessions (
	token_hash TEXT NOT NULL PRIMARY KEY,
	account_id TEXT NOT NULL,
	expires_at INTEGER NOT NULL
);`

func openAccounts(path string) (*accounts, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("accounts: %w", err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		return nil, fmt.Errorf("accounts: %w", err)
	}
	db.SetMaxOpenConns(1) // SQLite writes one at a time
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, schema+lineProfilesSchema); err != nil {
		db.Close()
		return nil, fmt.Errorf("accounts: %w", err)
	}
	links, err := link.NewSQLStore(ctx, db, link.SQLOptions{})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("accounts: %w", err)
	}
	a := &accounts{db: db, links: links}
	if err := a.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("accounts: migrating: %w", err)
	}
	return a, nil
}

// migrate carries over the links of earlier versions of the example, whose
// accounts table held one LINE user per acct-<id>, so that nobody who
// signed up loses their account.
func (a *accounts) migrate(ctx context.Context) error {
	var n int
	err := a.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'accounts'`).Scan(&n)
	if err != nil || n == 0 {
		return err
	}
	for _, q := range []string{
		`INSERT OR IGNORE INTO signups (id, created_at) SELECT id, created_at FROM accounts`,
		`INSERT OR IGNORE INTO app_accounts (account_id, created_at) SELECT 'acct-' || id, created_at FROM accounts`,
		`INSERT OR IGNORE INTO line_links (line_user_id, account_id, linked_at) SELECT line_user_id, 'acct-' || id, created_at FROM accounts`,
		`DROP TABLE accounts`,
	} {
		if _, err := a.db.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

// signUp is the sign-up hook: every LINE user who logs in on the web
// unlinked gets a new account, acct-<n>.
func (a *accounts) signUp(ctx context.Context, _ *callback.Login) (string, error) {
	now := time.Now().Unix()
	res, err := a.db.ExecContext(ctx, `INSERT INTO signups (created_at) VALUES (?)`, now)
	if err != nil {
		return "", fmt.Errorf("accounts: sign-up: %w", err)
	}
	n, err := res.LastInsertId()
	if err != nil {
		return "", fmt.Errorf("accounts: sign-up: %w", err)
	}
	id := "acct-" + strconv.FormatInt(n, 10)
	if _, err := a.db.ExecContext(ctx, `INSERT INTO app_accounts (account_id, created_at) VALUES (?, ?)`, id, now); err != nil {
		return "", fmt.Errorf("accounts: sign-up: %w", err)
	}
	return id, nil
}

// accountRow is one line of ACCOUNTS_FILE.
type accountRow struct {
	ID, Password, MemberNumber, BirthDate string
}

// demoAccounts is the table used when ACCOUNTS_FILE is not set. The
// passwords are public: the demo prints them.
var demoAccounts = []accountRow{
	{"alice", "alice-password", "M-1001", "1990-04-01"},
	{"bob", "bob-password", "M-1002", "1985-12-24"},
	{"carol", "carol-password", "M-1003", "2001-07-15"},
}

// accountsHeader is the header ACCOUNTS_FILE must start with.
var accountsHeader = []string{"account_id", "password", "member_number", "birth_date"}

// readAccountsFile parses a CSV of accountsHeader.
func readAccountsFile(r io.Reader) ([]accountRow, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = len(accountsHeader)
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("ACCOUNTS_FILE: %w", err)
	}
	for i, h := range head {
		if strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")) != accountsHeader[i] {
			return nil, fmt.Errorf("ACCOUNTS_FILE: header %q, want %q", strings.Join(head, ","), strings.Join(accountsHeader, ","))
		}
	}
	var rows []accountRow
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		if err != nil {
			return nil, fmt.Errorf("ACCOUNTS_FILE: %w", err)
		}
		row := accountRow{strings.TrimSpace(rec[0]), rec[1], strings.TrimSpace(rec[2]), strings.TrimSpace(rec[3])}
		line, _ := cr.FieldPos(0)
		if row.ID == "" || len(row.ID) > link.MaxIDLength || strings.HasPrefix(row.ID, "acct-") {
			return nil, fmt.Errorf("ACCOUNTS_FILE line %d: account_id must be 1 to %d characters, not starting with acct- (kept for sign-ups)", line, link.MaxIDLength)
		}
		if row.BirthDate != "" {
			if _, err := time.Parse(time.DateOnly, row.BirthDate); err != nil {
				return nil, fmt.Errorf("ACCOUNTS_FILE line %d: birth_date %q is not YYYY-MM-DD", line, row.BirthDate)
			}
		}
		rows = append(rows, row)
	}
}

// importAccounts adds or updates rows (method 3 of LINE's guide: the
// membership system's export, imported into the app's own database).
// Passwords are stored hashed; an unchanged password keeps its hash.
func (a *accounts) importAccounts(ctx context.Context, rows []accountRow) error {
	for _, row := range rows {
		var stored sql.NullString
		err := a.db.QueryRowContext(ctx, `SELECT password_hash FROM app_accounts WHERE account_id = ?`, row.ID).Scan(&stored)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("accounts: import: %w", err)
		}
		hash := stored.String
		if row.Password == "" {
			hash = ""
		} else if !stored.Valid || !checkPassword(stored.String, row.Password) {
			hash = hashPassword(row.Password)
		}
		_, err = a.db.ExecContext(ctx, `INSERT INTO app_accounts (account_id, password_hash, member_number, birth_date, created_at)
			VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (account_id) DO UPDATE SET password_hash = excluded.password_hash,
				member_number = excluded.member_number, birth_date = excluded.birth_date`,
			row.ID, nullIfEmpty(hash), nullIfEmpty(row.MemberNumber), nullIfEmpty(row.BirthDate), time.Now().Unix())
		if err != nil {
			return fmt.Errorf("accounts: import %s: %w", row.ID, err)
		}
	}
	return nil
}

func nullIfEmpty(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// Passwords are hashed with PBKDF2-SHA256 and a random salt, stored as
// pbkdf2-sha256$<iterations>$<salt>$<key>, both in base64.
const pbkdf2Iterations = 100_000

func hashPassword(password string) string {
	salt := make([]byte, 16)
	rand.Read(salt)
	key, _ := pbkdf2.Key(sha256.New, password, salt, pbkdf2Iterations, 32)
	b64 := base64.RawStdEncoding.EncodeToString
	return fmt.Sprintf("pbkdf2-sha256$%d$%s$%s", pbkdf2Iterations, b64(salt), b64(key))
}

// checkPassword compares in constant time.
func checkPassword(stored, password string) bool {
	parts := strings.Split(stored, "$")
	if len(parts) != 4 || parts[0] != "pbkdf2-sha256" {
		return false
	}
	iter, err := strconv.Atoi(parts[1])
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[2])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[3])
	if err != nil || err1 != nil || err2 != nil || iter < 1 || iter > 10_000_000 {
		return false
	}
	got, err := pbkdf2.Key(sha256.New, password, salt, iter, len(want))
	return err == nil && subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is checked against when an account does not exist, so that
// a wrong account ID takes as long as a wrong password.
var dummyHash = hashPassword("not a password of anyone")

// login returns whether password is accountID's.
func (a *accounts) login(ctx context.Context, accountID, password string) (bool, error) {
	var stored sql.NullString
	err := a.db.QueryRowContext(ctx, `SELECT password_hash FROM app_accounts WHERE account_id = ?`, accountID).Scan(&stored)
	switch {
	case errors.Is(err, sql.ErrNoRows), err == nil && !stored.Valid:
		checkPassword(dummyHash, password)
		return false, nil
	case err != nil:
		return false, fmt.Errorf("accounts: login: %w", err)
	}
	return checkPassword(stored.String, password), nil
}

// checkFacts is the link.FactsChecker of method 3: the membership number
// and birth date against the imported table, compared in constant time,
// and an unknown number compared too so that it takes as long.
func (a *accounts) checkFacts(ctx context.Context, f link.Facts) (string, error) {
	var id, birth string
	err := a.db.QueryRowContext(ctx, `SELECT account_id, birth_date FROM app_accounts
		WHERE member_number = ? AND birth_date IS NOT NULL`, f.MemberNumber).Scan(&id, &birth)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		link.Equal(f, link.Facts{MemberNumber: f.MemberNumber, BirthDate: "0000-00-00"})
		return "", link.ErrProofRefused
	case err != nil:
		return "", fmt.Errorf("accounts: facts: %w", err)
	}
	if !link.Equal(f, link.Facts{MemberNumber: f.MemberNumber, BirthDate: birth}) {
		return "", link.ErrProofRefused
	}
	return id, nil
}

// The app's own sessions: a random token in the cookie, its SHA-256 in
// the database, so that a leaked database holds no usable session.
const appSessionLifetime = 7 * 24 * time.Hour

func (a *accounts) newSession(ctx context.Context, accountID string) (string, error) {
	b := make([]byte, 32)
	rand.Read(b)
	token := hex.EncodeToString(b)
	_, err := a.db.ExecContext(ctx, `INSERT INTO app_sessions (token_hash, account_id, expires_at) VALUES (?, ?, ?)`,
		tokenHash(token), accountID, time.Now().Add(appSessionLifetime).Unix())
	if err != nil {
		return "", fmt.Errorf("accounts: session: %w", err)
	}
	return token, nil
}

// sessionAccount returns the account of a session token, or "".
func (a *accounts) sessionAccount(ctx context.Context, token string) string {
	if len(token) != 64 {
		return ""
	}
	var id string
	err := a.db.QueryRowContext(ctx, `SELECT account_id FROM app_sessions WHERE token_hash = ? AND expires_at > ?`,
		tokenHash(token), time.Now().Unix()).Scan(&id)
	if err != nil {
		return ""
	}
	return id
}

func (a *accounts) endSession(ctx context.Context, token string) error {
	_, err := a.db.ExecContext(ctx, `DELETE FROM app_sessions WHERE token_hash = ? OR expires_at <= ?`, tokenHash(token), time.Now().Unix())
	return err
}

func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func (a *accounts) Close() error { return a.db.Close() }
