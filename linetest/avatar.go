package linetest

import (
	"fmt"
	"hash/fnv"
	"html"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"
)

// avatarPath is the path of userID's generated avatar.
func avatarPath(userID string) string { return PathAvatarPrefix + userID + ".svg" }

// avatarColor returns the background of userID's avatar: a hue from a
// hash of the ID, dark enough for white text.
func avatarColor(userID string) string {
	h := fnv.New32a()
	_, _ = h.Write([]byte(userID))
	return fmt.Sprintf("hsl(%d,55%%,42%%)", h.Sum32()%360)
}

// serveAvatar answers GET /linetest/avatar/{userID}.svg with a colored
// circle bearing the user's initial.
func (p *Platform) serveAvatar(w http.ResponseWriter, r *http.Request) {
	id, ok := strings.CutSuffix(strings.TrimPrefix(r.URL.Path, PathAvatarPrefix), ".svg")
	i, known := p.userIndex[id]
	if !ok || !known {
		writeJSON(w, http.StatusNotFound, apiError{Message: "Not found"})
		return
	}
	initial, _ := utf8.DecodeRuneInString(p.users[i].DisplayName)
	initial = unicode.ToUpper(initial)
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	fmt.Fprintf(w, `<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128" viewBox="0 0 128 128">`+
		`<circle cx="64" cy="64" r="64" fill="%s"/>`+
		`<text x="64" y="64" dy=".35em" text-anchor="middle" font-family="system-ui,-apple-system,Arial,sans-serif" font-size="60" font-weight="700" fill="#fff">%s</text>`+
		`</svg>`, avatarColor(id), html.EscapeString(string(initial)))
}
