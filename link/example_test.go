package link_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	_ "modernc.org/sqlite"

	"github.com/linelogin/linelogin/link"
)

// Links kept in SQLite; any database/sql database works the same way
// (SQLOptions.NumberedPlaceholders for PostgreSQL).
func ExampleNewSQLStore() {
	ctx := context.Background()
	db, err := sql.Open("sqlite", "file:example?mode=memory")
	if err != nil {
		panic(err)
	}
	defer db.Close()
	store, err := link.NewSQLStore(ctx, db, link.SQLOptions{})
	if err != nil {
		panic(err)
	}
	lineUserID := "U4af4980629e4a1a3b9f7f4c58f9b2c4d"
	fmt.Println(store.Link(ctx, lineUserID, "acct-1"))
	fmt.Println(store.AccountOf(ctx, lineUserID))

	// The LINE user is linked already: refused, nothing overwritten.
	err = store.Link(ctx, lineUserID, "acct-2")
	fmt.Println(errors.Is(err, link.ErrAlreadyLinked), err)
	// Output:
	// <nil>
	// acct-1 <nil>
	// true link: already linked: the LINE user is linked to another account
}

// A FactsChecker for method 3 of LINE's ID-linking guide: a table the app
// imported from its membership system. Equal compares in constant time,
// and the refusal never says which fact was wrong.
func ExampleFactsChecker() {
	members := map[string]struct{ account, birthDate string }{
		"M-1001": {"alice", "1990-04-01"},
	}
	var check link.FactsChecker = func(_ context.Context, f link.Facts) (string, error) {
		m, ok := members[f.MemberNumber]
		if !ok || !link.Equal(f, link.Facts{MemberNumber: f.MemberNumber, BirthDate: m.birthDate}) {
			return "", link.ErrProofRefused
		}
		return m.account, nil
	}
	fmt.Println(check(context.Background(), link.Facts{MemberNumber: "M-1001", BirthDate: "1990-04-01"}))
	fmt.Println(check(context.Background(), link.Facts{MemberNumber: "M-1001", BirthDate: "1990-01-04"}))
	// Output:
	// alice <nil>
	//  link: proof refused
}

// Unlinking returns the LINE user the account was linked to.
func ExampleMemoryStore() {
	ctx := context.Background()
	var store link.MemoryStore
	_ = store.Link(ctx, "U4af4980629e4a1a3b9f7f4c58f9b2c4d", "acct-1")
	fmt.Println(store.Unlink(ctx, "acct-1"))
	_, err := store.AccountOf(ctx, "U4af4980629e4a1a3b9f7f4c58f9b2c4d")
	fmt.Println(err)
	// Output:
	// U4af4980629e4a1a3b9f7f4c58f9b2c4d <nil>
	// link: not linked
}
