package bmc

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"regexp"
	"strings"

	"github.com/hacon/hacon/config"
)

// redacted replaces a secret wherever it would have appeared.
const redacted = "***"

// password reads a BMC's password at call time, so a rotated secret (a new
// env var value, a rewritten file) is picked up without a restart. Its
// errors never carry the secret, only where it was looked for.
func password(b *config.BMC) (string, error) {
	switch {
	case b.PasswordEnv != "":
		v, ok := os.LookupEnv(b.PasswordEnv)
		if !ok {
			return "", fmt.Errorf("password_env %s is not set", b.PasswordEnv)
		}
		return v, nil
	case b.PasswordFile != "":
		data, err := os.ReadFile(b.PasswordFile)
		if err != nil {
			// Say why in words; the os error text names only the path.
			why := "cannot be read"
			switch {
			case errors.Is(err, fs.ErrNotExist):
				why = "does not exist"
			case errors.Is(err, fs.ErrPermission):
				why = "is not readable (permission denied)"
			}
			return "", fmt.Errorf("password_file %s %s", b.PasswordFile, why)
		}
		// Editors and `echo` leave a trailing newline that is not part of it.
		return strings.TrimRight(string(data), "\r\n"), nil
	}
	return "", errors.New("no password source: set password_env or password_file")
}

// dashP matches ipmitool's -P argument and everything after it on the line:
// bmclib passes the password in the environment, but an ipmitool usage
// message or a future bmclib could echo a command line.
var dashP = regexp.MustCompile(`-P\s[^\n]*`)

// envPass matches IPMITOOL_PASSWORD=… should an environment ever be echoed.
var envPass = regexp.MustCompile(`IPMITOOL_PASSWORD=[^\s]*`)

// scrub removes every trace of the secrets from s: the plain text and the
// forms it takes inside a URL, a JSON body or a Go %q, plus anything after
// "-P ". It is applied to every string that leaves this package and that
// could hold text from bmclib, gofish or ipmitool.
func scrub(s string, secrets ...string) string {
	s = dashP.ReplaceAllString(s, "-P "+redacted)
	s = envPass.ReplaceAllString(s, "IPMITOOL_PASSWORD="+redacted)
	for _, sec := range secrets {
		if sec == "" {
			continue
		}
		for _, form := range secretForms(sec) {
			s = strings.ReplaceAll(s, form, redacted)
		}
	}
	return s
}

// secretForms lists the encodings of a secret that may show up in an error,
// longest first so that a longer form is replaced before its substring.
func secretForms(sec string) []string {
	forms := []string{sec}
	if j, err := json.Marshal(sec); err == nil {
		forms = append(forms, strings.Trim(string(j), `"`))
	}
	forms = append(forms, url.QueryEscape(sec), url.PathEscape(sec),
		strings.TrimPrefix(url.UserPassword("", sec).String(), ":"),
		strings.Trim(fmt.Sprintf("%q", sec), `"`))
	// Longest first: replacing a short form first could split a longer one.
	for i := 1; i < len(forms); i++ {
		for j := i; j > 0 && len(forms[j]) > len(forms[j-1]); j-- {
			forms[j], forms[j-1] = forms[j-1], forms[j]
		}
	}
	return forms
}
