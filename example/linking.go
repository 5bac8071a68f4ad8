package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/linelogin/linelogin/link/redislink"
	"github.com/linelogin/linelogin/middleware"
)

// linking imports the app's own accounts (ACCOUNTS_FILE, or the demo
// table) and returns the linking configuration of the example: links in
// SQLite, sign-up as acct-<n>, membership facts checked against the
// imported table, and the in-house provider of INHOUSE_ISSUER.
func (a *accounts) linking(c config, log *slog.Logger) (*middleware.Linking, error) {
	rows := demoAccounts
	if c.AccountsFile != "" {
		b, err := os.ReadFile(c.AccountsFile)
		if err != nil {
			return nil, fmt.Errorf("ACCOUNTS_FILE: %w", err)
		}
		if rows, err = readAccountsFile(bytes.NewReader(b)); err != nil {
			return nil, err
		}
	}
	if err := a.importAccounts(context.Background(), rows); err != nil {
		return nil, err
	}
	log.Info("app accounts loaded", "count", len(rows), "builtin_demo_table", c.AccountsFile == "")
	l := &middleware.Linking{
		Store:           a.links,
		SignUp:          a.signUp,
		BeforeUnlink:    a.beforeUnlink,
		AfterUnlink:     "/account",
		CheckFacts:      a.checkFacts,
		InHouseIssuer:   c.InHouseIssuer,
		InHouseClientID: c.InHouseClientID,
	}
	if c.RedisURL != "" {
		// Instances sharing sessions in Redis share the used in-house
		// tokens and the count of refused proofs too: a token used on one
		// is refused on all, and guesses spread over them add up.
		client, err := redislink.NewURL(c.RedisURL)
		if err != nil {
			return nil, errRedisURL
		}
		l.Replay = redislink.NewReplay(client, "linelogin-example:inhouse-used:")
		l.Attempts = redislink.NewAttempts(client, "linelogin-example:link-refusals:",
			maxRefusedProofs, refusedProofWindow)
	}
	return l, nil
}

// The guessing limits of the link API across instances: those the
// middleware applies in one process's memory.
const (
	maxRefusedProofs   = 5
	refusedProofWindow = 15 * time.Minute
)

// printDemoAccounts shows the built-in table in demo mode, so that a
// person trying the demo can sign in and link. These passwords are public.
func printDemoAccounts(w io.Writer) {
	fmt.Fprintln(w, "Demo accounts of the app (ACCOUNTS_FILE is not set):")
	fmt.Fprintf(w, "  %-8s %-16s %-14s %s\n", "account", "password", "member number", "birth date")
	for _, r := range demoAccounts {
		fmt.Fprintf(w, "  %-8s %-16s %-14s %s\n", r.ID, r.Password, r.MemberNumber, r.BirthDate)
	}
}
