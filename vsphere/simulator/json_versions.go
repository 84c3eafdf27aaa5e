package simulator

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// JSONRelease is the vim25 release the simulator advertises first in
// /sdk/vimServiceVersions.xml and the one JSONURL names. VI/JSON exists
// from vSphere 8.0 U1 (release 8.0.1.0); a client reads the release from the
// server before its first call, because a server refuses any release it
// does not serve.
const JSONRelease = "8.0.3.0"

// jsonReleases are the releases served over VI/JSON, newest first.
var jsonReleases = []string{JSONRelease, "8.0.2.0", "8.0.1.0"}

// soapOnlyReleases are older releases still accepted over SOAP, which takes
// any version; they are advertised as vCenter does, after the JSON ones.
var soapOnlyReleases = []string{"8.0.0.1", "7.0.3.0", "7.0", "6.7", "6.5", "6.0"}

// jsonPath is where the VI/JSON front is mounted; a method is
// jsonPath + {release}/{Type}/{moId}/{Method}.
const jsonPath = "/sdk/vim25/"

// JSONURL is the VI/JSON base URL, without credentials:
// {scheme}://{host}/sdk/vim25/{JSONRelease}. A method is called with POST
// {JSONURL}/{Type}/{moId}/{Method}, the session id travelling in the
// vmware-api-session-id header that Login's reply carries. govmomi's
// soap.Client reaches it with UseJSON(true) and Version = JSONRelease.
func (s *Server) JSONURL() *url.URL {
	u := *s.url
	u.User = nil
	u.Path = jsonPath + JSONRelease
	return &u
}

func servesJSON(release string) bool { return slices.Contains(jsonReleases, release) }

// serviceVersions answers /sdk/vimServiceVersions.xml as vCenter 8.0 U3
// does: the newest release first (the one clients such as govmomi's
// UseServiceVersion pick), every other release under priorVersions.
func serviceVersions(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8" ?>` + "\n")
	b.WriteString("<namespaces version=\"1.0\">\n <namespace>\n  <name>urn:vim25</name>\n")
	b.WriteString("  <version>" + jsonReleases[0] + "</version>\n  <priorVersions>\n")
	for _, v := range append(jsonReleases[1:], soapOnlyReleases...) {
		b.WriteString("   <version>" + v + "</version>\n")
	}
	b.WriteString("  </priorVersions>\n </namespace>\n</namespaces>\n")
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	_, _ = w.Write([]byte(b.String()))
}
