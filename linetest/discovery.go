package linetest

import "net/http"

// discoveryDocument is the OpenID Provider metadata LINE publishes.
type discoveryDocument struct {
	Issuer                            string   `json:"issuer"`
	AuthorizationEndpoint             string   `json:"authorization_endpoint"`
	TokenEndpoint                     string   `json:"token_endpoint"`
	RevocationEndpoint                string   `json:"revocation_endpoint"`
	UserInfoEndpoint                  string   `json:"userinfo_endpoint"`
	JWKSURI                           string   `json:"jwks_uri"`
	ResponseTypesSupported            []string `json:"response_types_supported"`
	SubjectTypesSupported             []string `json:"subject_types_supported"`
	IDTokenSigningAlgValuesSupported  []string `json:"id_token_signing_alg_values_supported"`
	CodeChallengeMethodsSupported     []string `json:"code_challenge_methods_supported"`
	ScopesSupported                   []string `json:"scopes_supported"`
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported"`
}

// serveDiscovery answers /.well-known/openid-configuration on the access
// host. Like LINE's, it names the access host for authorize and as the
// issuer, and the API host for the rest; and it
// lists ES256 only, although web-login ID tokens are HS256: clients that
// trust discovery alone reject them, which is why linelogin configures its
// verifier explicitly.
func (p *Platform) serveDiscovery(w http.ResponseWriter, _ *http.Request) {
	access, api := p.AccessURL(), p.APIURL()
	writeJSON(w, http.StatusOK, discoveryDocument{
		Issuer:                            access,
		AuthorizationEndpoint:             access + PathAuthorize,
		TokenEndpoint:                     api + PathToken,
		RevocationEndpoint:                api + PathRevoke,
		UserInfoEndpoint:                  api + pathUserInfo,
		JWKSURI:                           api + PathCerts,
		ResponseTypesSupported:            []string{"code"},
		SubjectTypesSupported:             []string{"pairwise"},
		IDTokenSigningAlgValuesSupported:  []string{"ES256"},
		CodeChallengeMethodsSupported:     []string{"S256"},
		ScopesSupported:                   []string{"openid", "profile", "email"},
		TokenEndpointAuthMethodsSupported: []string{"client_secret_post"},
	})
}
