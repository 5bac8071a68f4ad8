// Package link keeps the links between LINE user IDs and an app's own
// account IDs, one to one, as LINE's ID-linking guide describes: a
// membership card, a POS customer or a web account gets the LINE user ID
// that messages reach.
//
// A Store holds the links. SQLStore keeps them in any database/sql
// database, with the one-to-one rule enforced by the database's unique
// constraints (two racing requests cannot both win); MemoryStore is for
// tests. Link refuses with ErrAlreadyLinked, never overwrites:
//
//	store, err := link.NewSQLStore(ctx, db, link.SQLOptions{})
//	...
//	switch err := store.Link(ctx, lineUserID, accountID); {
//	case errors.Is(err, link.ErrAlreadyLinked):
//		// 409: one of the two is linked elsewhere; unlink it first
//	case err != nil:
//		// the database failed
//	}
//
// The middleware package builds on it: the linked account reaches every
// request's context, web users connect and unlink their LINE account, and
// LIFF and native apps link with a proof of the app's own identity (an ID
// token of the app's OpenID Connect provider, or facts a FactsChecker
// checks). Used ID tokens are remembered in a ReplayMemory, and tries
// reserved in Attempts before their proofs are checked (the refused ones
// stay counted): in memory for one instance, in Redis (package
// link/redislink) for several. SQLStore is tested on SQLite and
// PostgreSQL (SQLOptions.NumberedPlaceholders).
package link
