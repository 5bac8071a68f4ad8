package main

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestREADME_ListsEveryRoute: the README's list of the example's routes
// names exactly the routes the example mounts (and the middleware's
// /login, /callback and /logout), with their methods.
func TestREADME_ListsEveryRoute(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	para := regexp.MustCompile("(?s)\nRoutes: `GET /`.*?-router=gorillamux").Find(readme)
	if para == nil {
		t.Fatal("README.md has no list of the example's routes (\"Routes: `GET /`…\")")
	}
	var listed []string
	for _, m := range regexp.MustCompile("`((?:GET|POST)(?:\\|(?:GET|POST))*) (/[^`?\\s]*)").FindAllSubmatch(para, -1) {
		for _, method := range strings.Split(string(m[1]), "|") {
			listed = append(listed, method+" "+string(m[2]))
		}
	}
	a, _, _, _ := startExampleApp(t, "servemux", nil)
	mounted := []string{"GET /login", "GET /callback", "POST /callback", "POST /logout"}
	for _, r := range a.routes() {
		mounted = append(mounted, r.method+" "+r.path)
	}
	slices.Sort(listed)
	slices.Sort(mounted)
	if !slices.Equal(slices.Compact(listed), mounted) {
		t.Errorf("README.md lists the routes\n  %s\nthe example mounts\n  %s", strings.Join(listed, "\n  "), strings.Join(mounted, "\n  "))
	}
}
