package simulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// Whatever path and body a client sends, the bridge answers with a status
// vCenter uses and a well-formed VI/JSON body: a fault object with its
// _typeName and a one-line faultstring, or a value. It never panics.
func FuzzJSONBridge(f *testing.F) {
	s := start(f, Options{})
	h := s.http.Handler
	vsom := "/VcenterVStorageObjectManager/VStorageObjectManager/"
	f.Add("ServiceInstance/ServiceInstance/RetrieveServiceContent", []byte(`{}`))
	f.Add("SessionManager/SessionManager/Login", []byte(`{"userName":"u","password":"p"}`))
	f.Add("SessionManager/SessionManager/Login", []byte(`{"userName":7}`))
	f.Add(vsom[1:]+"VstorageObjectVCenterQueryChangedDiskAreas", []byte(`{"id":{"_typeName":"ID","id":"x"},"startOffset":-1}`))
	f.Add(vsom[1:]+"ListVStorageObject", []byte(`{"datastore":{"_typeName":"ManagedObjectReference","type":"Datastore","value":"nope"}}`))
	f.Add("PropertyCollector/propertyCollector/RetrievePropertiesEx", []byte(`{"specSet":[{"_typeName":"PropertyFilterSpec","propSet":[{"_typeName":"PropertySpec","type":"Folder"}],"objectSet":[{"_typeName":"ObjectSpec","obj":{"_typeName":"ManagedObjectReference","type":"Folder","value":"group-d1"}}]}],"options":{"_typeName":"RetrieveOptions"}}`))
	f.Add("Folder/group-d1/CreateFolder", []byte(`{"name":{"_typeName":"int","_value":3}}`))
	f.Add("a/b/c", []byte(`[`))
	f.Fuzz(func(t *testing.T, rest string, body []byte) {
		u, err := url.ParseRequestURI(jsonPath + JSONRelease + "/" + rest)
		if err != nil || strings.ContainsAny(rest, "?#") {
			return // not a path a client could send as such
		}
		req := httptest.NewRequest(http.MethodPost, u.String(), bytes.NewReader(body))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusNoContent:
			if rec.Body.Len() != 0 {
				t.Fatalf("204 with a body: %s", rec.Body)
			}
			return
		case http.StatusMovedPermanently, http.StatusTemporaryRedirect:
			return // the mux cleaning a path such as a//b or a/.
		case http.StatusOK, http.StatusBadRequest, http.StatusNotFound,
			http.StatusRequestEntityTooLarge, http.StatusInternalServerError:
		default:
			t.Fatalf("status %d for %s %q", rec.Code, rest, body)
		}
		if ct := rec.Header().Get("Content-Type"); ct != jsonContentType {
			t.Fatalf("status %d, content type %q", rec.Code, ct)
		}
		if !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("status %d, invalid JSON: %s", rec.Code, rec.Body)
		}
		if rec.Code == http.StatusOK {
			return
		}
		var fault struct {
			TypeName    string `json:"_typeName"`
			FaultString string `json:"faultstring"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &fault); err != nil || fault.TypeName == "" || strings.Contains(fault.FaultString, "\n") {
			t.Fatalf("status %d, fault %+v (%v): %s", rec.Code, fault, err, rec.Body)
		}
	})
}
