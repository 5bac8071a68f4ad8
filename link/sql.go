package link

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// DefaultTable is the table SQLStore uses unless SQLOptions names another.
const DefaultTable = "line_links"

// SQLOptions configure a SQLStore. The zero value suits SQLite and MySQL.
type SQLOptions struct {
	// Table is the table of links; DefaultTable if empty. It must be a
	// plain identifier (letters, digits, underscores).
	Table string
	// NumberedPlaceholders writes $1, $2… instead of ?, for PostgreSQL.
	NumberedPlaceholders bool
	// SkipCreate leaves the table to the app's own migrations instead of
	// creating it if it does not exist.
	SkipCreate bool
	// Now dates new links; time.Now if nil.
	Now func() time.Time
}

// SQLStore is a Store in a database/sql database, in portable SQL. Both
// columns are unique in the database itself: of two requests linking one
// LINE user (or one account) at once, the database lets one in, and the
// other gets ErrAlreadyLinked. With SQLite, set a busy timeout (for
// modernc.org/sqlite, "?_pragma=busy_timeout(5000)") or one connection,
// so that concurrent writers wait for each other instead of failing.
type SQLStore struct {
	db   *sql.DB
	now  func() time.Time
	stmt struct{ insert, byLINE, byAccount, remove string }
}

var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// NewSQLStore returns a Store of links in db, creating its table unless
// opts.SkipCreate. The table is:
//
//	CREATE TABLE line_links (
//		line_user_id VARCHAR(255) NOT NULL PRIMARY KEY,
//		account_id   VARCHAR(255) NOT NULL UNIQUE,
//		linked_at    BIGINT NOT NULL
//	)
func NewSQLStore(ctx context.Context, db *sql.DB, opts SQLOptions) (*SQLStore, error) {
	table := opts.Table
	if table == "" {
		table = DefaultTable
	}
	if !identifier.MatchString(table) {
		return nil, fmt.Errorf("link: NewSQLStore: table name %q is not a plain identifier", table)
	}
	s := &SQLStore{db: db, now: opts.Now}
	if s.now == nil {
		s.now = time.Now
	}
	q := func(query string) string {
		query = strings.ReplaceAll(query, "{table}", table)
		if !opts.NumberedPlaceholders {
			return query
		}
		var b strings.Builder
		n := 0
		for _, c := range query {
			if c == '?' {
				n++
				b.WriteString("$" + strconv.Itoa(n))
				continue
			}
			b.WriteRune(c)
		}
		return b.String()
	}
	s.stmt.insert = q(`INSERT INTO {table} (line_user_id, account_id, linked_at) VALUES (?, ?, ?)`)
	s.stmt.byLINE = q(`SELECT account_id FROM {table} WHERE line_user_id = ?`)
	s.stmt.byAccount = q(`SELECT line_user_id FROM {table} WHERE account_id = ?`)
	s.stmt.remove = q(`DELETE FROM {table} WHERE account_id = ? AND line_user_id = ?`)
	if !opts.SkipCreate {
		_, err := db.ExecContext(ctx, q(`CREATE TABLE IF NOT EXISTS {table} (
			line_user_id VARCHAR(255) NOT NULL PRIMARY KEY,
			account_id   VARCHAR(255) NOT NULL UNIQUE,
			linked_at    BIGINT NOT NULL
		)`))
		if err != nil {
			// PostgreSQL's IF NOT EXISTS is no lock: of instances starting
			// together, all but one may fail with a duplicate in its
			// catalogue. The table is there then, made by another.
			var n int
			if db.QueryRowContext(ctx, q(`SELECT COUNT(*) FROM {table} WHERE 1 = 0`)).Scan(&n) != nil {
				return nil, fmt.Errorf("%w: creating table %s: %w", ErrUnavailable, table, err)
			}
		}
	}
	return s, nil
}

// linkTries bounds the inserts of one Link that lose a race with unlinks.
const linkTries = 3

// Link inserts the link. The insert alone decides: when the database
// refuses it, the two lookups that follow only tell a conflict (or the
// very same link, inserted by a racing request) from a database failure.
// When they find neither side linked, the link that refused the insert
// was removed in between (a racing unlink): the insert is tried again.
func (s *SQLStore) Link(ctx context.Context, lineUserID, accountID string) error {
	if !validID(lineUserID) || !validID(accountID) {
		return ErrInvalidID
	}
	var insertErr error
	for range linkTries {
		_, insertErr = s.db.ExecContext(ctx, s.stmt.insert, lineUserID, accountID, s.now().Unix())
		if insertErr == nil {
			return nil
		}
		acct, err := s.AccountOf(ctx, lineUserID)
		if err != nil && !errors.Is(err, ErrNotLinked) {
			return err
		}
		user, err := s.LINEUserOf(ctx, accountID)
		if err != nil && !errors.Is(err, ErrNotLinked) {
			return err
		}
		switch {
		case acct == accountID:
			return nil
		case acct != "" || user != "":
			return &ConflictError{LINEUser: acct != "", Account: user != ""}
		}
	}
	return fmt.Errorf("%w: insert: %w", ErrUnavailable, insertErr)
}

// AccountOf returns the account linked to lineUserID.
func (s *SQLStore) AccountOf(ctx context.Context, lineUserID string) (string, error) {
	return s.lookup(ctx, s.stmt.byLINE, lineUserID)
}

// LINEUserOf returns the LINE user linked to accountID.
func (s *SQLStore) LINEUserOf(ctx context.Context, accountID string) (string, error) {
	return s.lookup(ctx, s.stmt.byAccount, accountID)
}

func (s *SQLStore) lookup(ctx context.Context, query, id string) (string, error) {
	if !validID(id) {
		return "", ErrNotLinked
	}
	var v string
	err := s.db.QueryRowContext(ctx, query, id).Scan(&v)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", ErrNotLinked
	case err != nil:
		return "", fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return v, nil
}

// Unlink removes the link of accountID. The delete names both sides, so
// that a link made again in between is not the one removed.
func (s *SQLStore) Unlink(ctx context.Context, accountID string) (string, error) {
	user, err := s.LINEUserOf(ctx, accountID)
	if err != nil {
		return "", err
	}
	res, err := s.db.ExecContext(ctx, s.stmt.remove, accountID, user)
	if err != nil {
		return "", fmt.Errorf("%w: unlink: %w", ErrUnavailable, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return "", ErrNotLinked
	}
	return user, nil
}
