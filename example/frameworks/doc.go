// Package frameworks shows, in its examples, the middleware mounted on
// routers and frameworks other than net/http's ServeMux: chi, gorilla/mux,
// Gin and Echo. It lives in the example's module so that the library's
// go.mod requires none of them; run them with
//
//	go test ./example/frameworks
package frameworks
