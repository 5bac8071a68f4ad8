package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"unicode/utf8"
)

// minPasswordLength is the shortest password the account page accepts.
const minPasswordLength = 8

// errOnlyWayIn refuses the unlink of an account whose only way in is LINE:
// with no password, nobody could sign in to it again, and the user's
// next LINE login would sign up a new, empty account.
var errOnlyWayIn = errors.New("example: LINE is the account's only way in")

// hasPassword reports whether accountID can sign in with a password.
func (a *accounts) hasPassword(ctx context.Context, accountID string) (bool, error) {
	var stored sql.NullString
	err := a.db.QueryRowContext(ctx, `SELECT password_hash FROM app_accounts WHERE account_id = ?`, accountID).Scan(&stored)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("accounts: password: %w", err)
	}
	return stored.Valid && stored.String != "", nil
}

// setPassword gives accountID a password, if it has none yet: changing
// one would need the current password, which this demo does not ask.
func (a *accounts) setPassword(ctx context.Context, accountID, password string) (bool, error) {
	res, err := a.db.ExecContext(ctx, `UPDATE app_accounts SET password_hash = ? WHERE account_id = ? AND password_hash IS NULL`,
		hashPassword(password), accountID)
	if err != nil {
		return false, fmt.Errorf("accounts: set password: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// beforeUnlink is Linking.BeforeUnlink: an account keeps LINE while LINE
// is its only way in.
func (a *accounts) beforeUnlink(ctx context.Context, accountID, _ string) error {
	ok, err := a.hasPassword(ctx, accountID)
	if err != nil {
		return err
	}
	if !ok {
		return errOnlyWayIn
	}
	return nil
}

// accountSetPassword is POST /account/password: an account without a
// password (a LINE sign-up) sets one, and can then sign in with it and
// unlink LINE.
func (a *app) accountSetPassword(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	id, ok := a.accountPageUser(w, r)
	if !ok {
		return
	}
	t := a.texts(r)
	password := r.PostFormValue("password")
	if utf8.RuneCountInString(password) < minPasswordLength || len(password) > 1024 {
		a.renderAccountPage(w, r, id, http.StatusBadRequest, t.PasswordTooShort)
		return
	}
	ok, err := a.accounts.setPassword(r.Context(), id, password)
	if err != nil {
		http.Error(w, "accounts unavailable", http.StatusServiceUnavailable)
		return
	}
	if !ok {
		a.renderAccountPage(w, r, id, http.StatusConflict, t.PasswordAlreadySet)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, "/account?password=set", http.StatusSeeOther)
}
