package redfishemu

import (
	"encoding/json"
	"io"
	"net/http"
)

// Resource paths, as a typical BMC lays them out (formats.md §5).
const (
	rootPath     = "/redfish/v1/"
	sessionsPath = "/redfish/v1/SessionService/Sessions"
	systemsPath  = "/redfish/v1/Systems"
	systemPath   = "/redfish/v1/Systems/1"
	resetPath    = "/redfish/v1/Systems/1/Actions/ComputerSystem.Reset"
)

// resetTypes is the allowable list; gofish refuses a reset type missing
// from it, and bmclib sends On, ForceOff, GracefulShutdown, ForceRestart
// and PowerCycle.
var resetTypes = []string{"On", "ForceOn", "ForceOff", "GracefulShutdown",
	"GracefulRestart", "ForceRestart", "PowerCycle", "Nmi"}

// routes maps exactly the requests bmclib makes; anything else is a 404.
func (b *BMC) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /redfish/v1/{$}", b.serviceRoot)
	mux.HandleFunc("GET /redfish/v1", b.serviceRoot)
	mux.HandleFunc("POST "+sessionsPath, b.login)
	mux.HandleFunc("GET "+sessionsPath+"/{id}", b.authed(b.getSession))
	mux.HandleFunc("DELETE "+sessionsPath+"/{id}", b.authed(b.logout))
	mux.HandleFunc("GET "+systemsPath, b.authed(b.systems))
	mux.HandleFunc("GET "+systemPath, b.authed(b.system))
	mux.HandleFunc("POST "+resetPath, b.authed(b.reset))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !b.enter(w, r) {
			return
		}
		defer b.handlers.Done()
		mux.ServeHTTP(w, r)
	})
}

// authed wraps a handler with the credential check.
func (b *BMC) authed(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !b.authorized(r) {
			w.Header().Set("WWW-Authenticate", `Basic realm="hacon demo BMC"`)
			writeRedfishError(w, http.StatusUnauthorized, "Base.1.0.InsufficientPrivilege", "authentication required")
			return
		}
		h(w, r)
	}
}

// serviceRoot is public, as Redfish requires: clients read it before login.
func (b *BMC) serviceRoot(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"@odata.type":    "#ServiceRoot.v1_5_0.ServiceRoot",
		"@odata.id":      rootPath,
		"Id":             "RootService",
		"Name":           "hacon demo Redfish service",
		"RedfishVersion": "1.6.0",
		"Systems":        ref(systemsPath),
		"SessionService": ref("/redfish/v1/SessionService"),
		"Links":          map[string]any{"Sessions": ref(sessionsPath)},
	})
}

func (b *BMC) login(w http.ResponseWriter, r *http.Request) {
	var body struct{ UserName, Password string }
	if err := json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&body); err != nil {
		writeRedfishError(w, http.StatusBadRequest, "Base.1.0.MalformedJSON", "session request is not JSON")
		return
	}
	if !b.credentialsMatch(body.UserName, body.Password) {
		writeRedfishError(w, http.StatusUnauthorized, "Base.1.0.InsufficientPrivilege", "invalid username or password")
		return
	}
	token, path := b.newSession()
	// Without Location gofish cannot log out and every later call fails.
	w.Header().Set("X-Auth-Token", token)
	w.Header().Set("Location", path)
	writeJSON(w, http.StatusCreated, map[string]any{
		"@odata.id": path, "Id": path[len(sessionsPath)+1:], "Name": "User Session", "UserName": body.UserName,
	})
}

func (b *BMC) getSession(w http.ResponseWriter, r *http.Request) {
	path := sessionsPath + "/" + r.PathValue("id")
	if !b.sessionExists(path) {
		writeRedfishError(w, http.StatusNotFound, "Base.1.0.ResourceMissingAtURI", "no such session")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"@odata.id": path, "Id": r.PathValue("id"), "Name": "User Session"})
}

func (b *BMC) logout(w http.ResponseWriter, r *http.Request) {
	if !b.dropSession(sessionsPath + "/" + r.PathValue("id")) {
		writeRedfishError(w, http.StatusNotFound, "Base.1.0.ResourceMissingAtURI", "no such session")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (b *BMC) systems(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"@odata.type":         "#ComputerSystemCollection.ComputerSystemCollection",
		"@odata.id":           systemsPath,
		"Name":                "Computer System Collection",
		"Members@odata.count": 1,
		"Members":             []any{ref(systemPath)},
	})
}

func (b *BMC) system(w http.ResponseWriter, _ *http.Request) {
	state := "Off"
	if b.On() {
		state = "On"
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"@odata.type": "#ComputerSystem.v1_10_0.ComputerSystem",
		"@odata.id":   systemPath,
		"Id":          "1",
		"Name":        "hacon demo controller",
		"PowerState":  state,
		"Status":      map[string]any{"State": "Enabled", "Health": "OK"},
		"Actions": map[string]any{"#ComputerSystem.Reset": map[string]any{
			"target":                            resetPath,
			"ResetType@Redfish.AllowableValues": resetTypes,
		}},
	})
}

// reset applies a ResetType the way a server's BMC would.
func (b *BMC) reset(w http.ResponseWriter, r *http.Request) {
	var body struct{ ResetType string }
	if err := json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&body); err != nil {
		writeRedfishError(w, http.StatusBadRequest, "Base.1.0.MalformedJSON", "reset request is not JSON")
		return
	}
	switch body.ResetType {
	case "On", "ForceOn":
		b.SetOn(true)
	case "ForceOff", "GracefulShutdown":
		b.SetOn(false)
	case "ForceRestart", "GracefulRestart":
		if !b.On() {
			// A restart needs a running machine; real BMCs answer 409 here.
			writeRedfishError(w, http.StatusConflict, "Base.1.0.ActionNotSupported", "system is off")
			return
		}
		b.cycle()
	case "PowerCycle":
		if b.On() {
			b.cycle()
		} else {
			b.SetOn(true)
		}
	case "Nmi":
	default:
		writeRedfishError(w, http.StatusBadRequest, "Base.1.0.ActionParameterValueNotInList", "unsupported ResetType")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func ref(path string) map[string]string { return map[string]string{"@odata.id": path} }

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// writeRedfishError writes the standard Redfish error body (which gofish
// parses into common.Error).
func writeRedfishError(w http.ResponseWriter, code int, id, msg string) {
	writeJSON(w, code, map[string]any{"error": map[string]any{
		"code": id, "message": msg,
		"@Message.ExtendedInfo": []any{map[string]any{"MessageId": id, "Message": msg}},
	}})
}
