package bmc

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hacon/hacon/config"
)

func TestScrubRemovesEveryForm(t *testing.T) {
	const pw = `p@ss w"rd/1`
	cases := []string{
		"ipmitool -I lanplus -U admin -P " + pw + " chassis power status",
		"ipmitool -P hunter2 -H h",          // -P with a value we do not know
		"env IPMITOOL_PASSWORD=hunter2 ran", // an echoed environment
		`POST {"UserName":"admin","Password":"p@ss w\"rd/1"}`,
		"url " + (&url.URL{Scheme: "https", User: url.UserPassword("admin", pw), Host: "h"}).String(),
		"query pw=" + "p%40ss+w%22rd%2F1",
		fmt.Sprintf("%q", pw),
	}
	for _, c := range cases {
		got := scrub(c, pw)
		for _, leak := range []string{pw, "hunter2", `p@ss w\"rd/1`, "p%40ss", "w\\\"rd"} {
			if strings.Contains(got, leak) {
				t.Errorf("scrub(%q) = %q still holds %q", c, got, leak)
			}
		}
		if !strings.Contains(got, redacted) {
			t.Errorf("scrub(%q) = %q: nothing marked redacted", c, got)
		}
	}
	if got := scrub("Chassis Power is on", ""); got != "Chassis Power is on" {
		t.Errorf("empty secret changed text: %q", got)
	}
}

func TestPasswordSources(t *testing.T) {
	t.Setenv("HACON_TEST_BMC_PW", "from-env")
	got, err := password(&config.BMC{PasswordEnv: "HACON_TEST_BMC_PW"})
	if err != nil || got != "from-env" {
		t.Fatalf("env: %q, %v", got, err)
	}
	_, err = password(&config.BMC{PasswordEnv: "HACON_TEST_BMC_PW_UNSET"})
	if err == nil || err.Error() != "password_env HACON_TEST_BMC_PW_UNSET is not set" {
		t.Fatalf("unset env: %v", err)
	}
	f := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(f, []byte("from-file\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err = password(&config.BMC{PasswordFile: f})
	if err != nil || got != "from-file" {
		t.Fatalf("file: %q, %v", got, err)
	}
	_, err = password(&config.BMC{PasswordFile: f + ".missing"})
	if err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("missing file: %v", err)
	}
	if _, err = password(&config.BMC{}); err == nil {
		t.Fatal("no source accepted")
	}
}

func TestClassify(t *testing.T) {
	const pw = "Sup3rSecret"
	cases := []struct {
		driver, text string
		ctxErr       error
		cipher       bool
		words        string
		reachable    bool
	}{
		{"ipmi", "1 error occurred:\n\t* provider: ipmitool: Error: Unable to establish IPMI v2 / RMCP+ session: exit status 1", nil, true, ErrAuth, true},
		{"ipmi", "Error in open session response message : invalid authentication algorithm\n\nError: Unable to establish IPMI v2 / RMCP+ session", nil, true, ErrCipher, true},
		{"ipmi", "Error in open session response message : invalid authentication algorithm", nil, false, ErrAuth + authHintNoCipher, true},
		{"ipmi", "signal: killed", context.DeadlineExceeded, true, ErrTimeout, false},
		{"redfish", `provider: gofish: 401: {"error":{"code":"Base.1.0.InsufficientPrivilege"}}`, nil, false, ErrAuth, true},
		{"redfish", "provider: gofish: 500: {}", nil, false, "BMC answered HTTP 500", true},
		{"redfish", `Post "http://127.0.0.1:1/redfish/v1/": dial tcp 127.0.0.1:1: connect: connection refused`, nil, false, ErrUnreachable, false},
		{"redfish", `Get "http://x/": net/http: request canceled (Client.Timeout exceeded while awaiting headers)`, nil, false, ErrTimeout, false},
		{"redfish", "provider: gofish: weird failure -P " + pw + " and " + pw, nil, false, "BMC error: gofish: weird failure -P ***", true},
	}
	for _, c := range cases {
		v := classify(errors.New(c.text), c.ctxErr, c.driver, c.cipher, pw)
		if v.words != c.words || v.reachable != c.reachable || v.authOK {
			t.Errorf("classify(%q) = %+v, want words %q reachable %v", c.text, v, c.words, c.reachable)
		}
		if strings.Contains(v.words, pw) {
			t.Errorf("classify leaked the password: %q", v.words)
		}
	}
}

func TestNormalizePower(t *testing.T) {
	for raw, want := range map[string]string{
		"Chassis Power is on\n": PowerOn, "Chassis Power is off\n": PowerOff,
		"On": PowerOn, "Off": PowerOff, "PoweringOn": PowerUnknown, "": PowerUnknown,
	} {
		if got := normalizePower(raw); got != want {
			t.Errorf("normalizePower(%q) = %q, want %q", raw, got, want)
		}
	}
}
