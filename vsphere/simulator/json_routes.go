package simulator

import "net/http"

// routes puts the VI/JSON front and the service versions document in front
// of vcsim's handlers, which keep everything else (SOAP at /sdk included).
func (s *Server) routes(vcsimMux http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/", vcsimMux)
	mux.HandleFunc("/sdk/vimServiceVersions.xml", serviceVersions)
	mux.HandleFunc(jsonPath, s.serveJSON)
	return mux
}
