// Package comparisons holds the benchmarks that compare the library's
// choices with other libraries (a Redis client: rueidis against go-redis).
// They live in the example's module so that the library's go.mod requires
// none of the libraries compared against; make bench runs them.
package comparisons
