package linetest

import (
	"net/http"
	"net/url"
	"strings"
)

// param is one authorization response parameter; a slice of them keeps
// LINE's order (code, state, friendship_status_changed).
type param struct{ Name, Value string }

// respondToClient delivers an authorization response to the redirect_uri
// in req's response mode: a 302 with the parameters appended to the
// redirect_uri's own query (query), a page that POSTs them (form_post), or
// the same with the parameters inside one JWT in a response parameter
// (query.jwt and jwt, form_post.jwt: JARM).
func (p *Platform) respondToClient(w http.ResponseWriter, req *authRequest, params []param) {
	w.Header().Set("Cache-Control", "no-store")
	switch req.responseMode {
	case modeQueryJWT, modeJWT, modeFormPostJWT:
		jwt, err := p.jarmJWT(params)
		if err != nil {
			p.log.Error("linetest: signing JARM response", "err", err)
			p.errorPage(w, http.StatusInternalServerError, "linetest: cannot sign the JARM response.")
			return
		}
		params = []param{{"response", jwt}}
	}
	switch req.responseMode {
	case modeFormPost, modeFormPostJWT:
		p.renderPage(w, http.StatusOK, formPostPage, formPostData{T: texts["en"], Action: req.redirectURI, Params: params})
		return
	}
	w.Header().Set("Location", appendParams(req.redirectURI, params))
	w.WriteHeader(http.StatusFound)
}

// appendParams appends params to u's query, keeping the query u has: LINE
// lets apps add their own parameters to a registered callback URL, and
// hands them back.
func appendParams(u string, params []param) string {
	var b strings.Builder
	b.WriteString(u)
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	for _, prm := range params {
		b.WriteString(sep)
		b.WriteString(url.QueryEscape(prm.Name))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(prm.Value))
		sep = "&"
	}
	return b.String()
}
