// Package comparisons holds the benchmarks that compare the library's
// choices with other libraries: a Redis client (rueidis against go-redis),
// and a whole LINE login (linelogin against zitadel/oidc's relying party
// and a hand-written x/oauth2 + go-oidc login). They live in the example's
// module so that the library's go.mod requires none of the libraries
// compared against; make bench runs them.
package comparisons
