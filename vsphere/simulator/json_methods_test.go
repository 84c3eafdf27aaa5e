package simulator

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// internalMethods are vcsim's answers to vCenter's internal API (for
// ovftool and govc), not in the public vim25 API that VI/JSON serves.
var internalMethods = map[string]bool{
	"Fetch": true, "RetrieveInternalContent": true, "RetrieveDynamicTypeManager": true,
	"RetrieveManagedMethodExecuter": true, "QueryVirtualDiskInfo_Task": true,
}

// Every method the simulator answers over SOAP, vcsim's own (as its /about
// lists them) and cbtscope's, has a VI/JSON route: its request type is
// found by name and its response type is known.
func TestJSONRoutesEveryMethod(t *testing.T) {
	s := start(t, Options{})
	res, err := http.Get(s.url.Scheme + "://" + s.url.Host + "/about")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var about struct {
		Methods []string `json:"methods"`
	}
	if err := json.NewDecoder(res.Body).Decode(&about); err != nil {
		t.Fatal(err)
	}
	methods := append(about.Methods, "QueryChangedDiskAreas")
	for m := range routedMethods {
		methods = append(methods, m)
	}
	if len(methods) < 200 {
		t.Fatalf("only %d methods", len(methods))
	}
	for _, m := range methods {
		if internalMethods[m] {
			continue
		}
		// /about lists Go method names with the first "Task" turned into
		// "_Task" (CancelTask is Cancel_Task there); the wire name may
		// start in lower case (setCustomValue).
		candidates := []string{m, strings.Replace(m, "_Task", "Task", 1), strings.ToLower(m[:1]) + m[1:]}
		var err error
		for _, name := range candidates {
			if _, err = parseJSONPath(jsonPath + JSONRelease + "/ServiceInstance/ServiceInstance/" + name); err == nil {
				break
			}
		}
		if err != nil {
			t.Errorf("%s: %v", m, err)
		}
	}
}

// Every generated entry names a vim25 method on the wire: govmomi's type
// registry knows its request type by that name, and the response type is
// the request's name plus "Response".
func TestJSONResponseTypesMatchRequests(t *testing.T) {
	if len(responseTypes) < 900 {
		t.Fatalf("only %d methods", len(responseTypes))
	}
	for name, res := range responseTypes {
		c, err := parseJSONPath(jsonPath + JSONRelease + "/ServiceInstance/ServiceInstance/" + url.PathEscape(name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if res.Name() != c.reqType.Name()+"Response" {
			t.Errorf("%s: request %s, response %s", name, c.reqType.Name(), res.Name())
		}
	}
}
