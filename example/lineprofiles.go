package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/linelogin/linelogin/callback"
)

// lineProfile is what the app last saw of a LINE user: the account page
// shows the linked user by name and picture, not by a raw user ID.
type lineProfile struct {
	DisplayName, PictureURL string
}

const lineProfilesSchema = `
CREATE TABLE IF NOT EXISTS line_profiles (
	line_user_id TEXT NOT NULL PRIMARY KEY,
	display_name TEXT NOT NULL,
	picture_url  TEXT NOT NULL,
	updated_at   INTEGER NOT NULL
);`

// saveProfile keeps the profile of a LINE user who just logged in.
func (a *accounts) saveProfile(ctx context.Context, lineUserID string, p lineProfile) error {
	_, err := a.db.ExecContext(ctx, `INSERT INTO line_profiles (line_user_id, display_name, picture_url, updated_at)
		VALUES (?, ?, ?, ?)
		ON CONFLICT (line_user_id) DO UPDATE SET display_name = excluded.display_name,
			picture_url = excluded.picture_url, updated_at = excluded.updated_at`,
		lineUserID, p.DisplayName, p.PictureURL, time.Now().Unix())
	if err != nil {
		return fmt.Errorf("accounts: profile: %w", err)
	}
	return nil
}

// profileOf returns the last profile seen of lineUserID; ok is false when
// the app has none (a link made from a native app, by /api/link).
func (a *accounts) profileOf(ctx context.Context, lineUserID string) (lineProfile, bool, error) {
	var p lineProfile
	err := a.db.QueryRowContext(ctx, `SELECT display_name, picture_url FROM line_profiles WHERE line_user_id = ?`, lineUserID).
		Scan(&p.DisplayName, &p.PictureURL)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return p, false, nil
	case err != nil:
		return p, false, fmt.Errorf("accounts: profile: %w", err)
	}
	return p, true, nil
}

// onLogin is Config.OnLogin: it keeps the profile of every LINE login
// (sign-ups and connects alike) and never refuses one; with Linking, the
// account comes from the store.
func (a *app) onLogin(ctx context.Context, login *callback.Login) error {
	u := login.User
	if err := a.accounts.saveProfile(ctx, u.ID, lineProfile{DisplayName: u.DisplayName, PictureURL: u.PictureURL}); err != nil {
		a.log.Warn("keeping the LINE profile failed", "error", err)
	}
	return nil
}
