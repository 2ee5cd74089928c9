package config

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strings"

	"github.com/go-viper/mapstructure/v2"
	"github.com/spf13/viper"
)

// EnvConfigFile names the variable that points at a configuration file.
const EnvConfigFile = "AUTHD_CONFIG"

// Load reads defaults, then the YAML file (file, or $AUTHD_CONFIG when file is
// empty; no file at all is fine), then AUTHD_* environment variables, and validates
// the result. Every problem is reported at once, each naming its key.
func Load(file string) (*Config, error) {
	if file == "" {
		file = os.Getenv(EnvConfigFile)
	}
	v := viper.New()
	for k, d := range defaultValues() {
		v.SetDefault(k, d)
	}
	v.SetEnvPrefix("AUTHD")
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
	v.AutomaticEnv()
	if file != "" {
		v.SetConfigFile(file)
		v.SetConfigType("yaml")
		if err := v.ReadInConfig(); err != nil {
			return nil, fmt.Errorf("read config file %s: %w", file, err)
		}
		if err := unknownKeys(v); err != nil {
			return nil, err
		}
	}
	cfg := &Config{}
	if err := decode(v, cfg); err != nil {
		return nil, err
	}
	cfg.fillDerived()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return cfg, nil
}

// unknownKeys refuses keys in the file that authd does not know: a misspelt key
// would otherwise be ignored silently.
func unknownKeys(v *viper.Viper) error {
	known := defaultValues()
	var bad []string
	for _, k := range v.AllKeys() {
		if _, ok := known[k]; !ok {
			bad = append(bad, k)
		}
	}
	if len(bad) == 0 {
		return nil
	}
	sort.Strings(bad)
	return fmt.Errorf("unknown configuration keys: %s", strings.Join(bad, ", "))
}

// decode converts each key on its own so a bad value names its key and what is
// allowed, instead of a raw mapstructure dump.
func decode(v *viper.Viper, cfg *Config) error {
	var errs []error
	for key := range defaultValues() {
		field, ok := fieldByKey(reflect.ValueOf(cfg).Elem(), key)
		if !ok {
			errs = append(errs, fmt.Errorf("%s: no such field", key))
			continue
		}
		dec, err := mapstructure.NewDecoder(&mapstructure.DecoderConfig{
			Result:           field.Addr().Interface(),
			WeaklyTypedInput: true,
			DecodeHook: mapstructure.ComposeDecodeHookFunc(
				mapstructure.StringToTimeDurationHookFunc(), mapstructure.StringToSliceHookFunc(",")),
		})
		if err != nil {
			return err
		}
		if err := dec.Decode(v.Get(key)); err != nil {
			errs = append(errs, fmt.Errorf("%s: %q is not a valid %s", name(key), fmt.Sprint(v.Get(key)), kindName(field)))
		}
	}
	sortErrs(errs)
	return errors.Join(errs...)
}

// fieldByKey walks dotted mapstructure names to a struct field.
func fieldByKey(v reflect.Value, key string) (reflect.Value, bool) {
	for _, part := range strings.Split(key, ".") {
		found := false
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).Tag.Get("mapstructure") == part {
				v, found = v.Field(i), true
				break
			}
		}
		if !found {
			return reflect.Value{}, false
		}
	}
	return v, true
}

func kindName(f reflect.Value) string {
	switch {
	case f.Type().String() == "time.Duration":
		return `duration (like "15m" or "30s")`
	case f.Kind() == reflect.Int || f.Kind() == reflect.Int64:
		return "whole number"
	case f.Kind() == reflect.Bool:
		return "boolean (true or false)"
	}
	return "string"
}

// name is how messages refer to a key: its YAML path and its environment variable.
func name(key string) string {
	return fmt.Sprintf("%s (AUTHD_%s)", key, strings.ToUpper(strings.ReplaceAll(key, ".", "_")))
}

func sortErrs(errs []error) {
	sort.Slice(errs, func(i, j int) bool { return errs[i].Error() < errs[j].Error() })
}

// redactDSN hides a password in a postgres:// DSN.
func redactDSN(dsn string) string {
	if !strings.Contains(dsn, "://") && strings.Contains(dsn, "=") {
		// libpq keyword/value form: host=h user=u password=secret
		return keywordSecret.ReplaceAllString(dsn, "${1}=[redacted]")
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "[redacted: the DSN does not parse]"
	}
	if u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "redacted")
		}
	}
	q := u.Query()
	for k := range q {
		if secretParam(k) {
			q.Set(k, "redacted")
		}
	}
	if len(q) > 0 {
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// keywordSecret matches a secret-bearing keyword of a libpq keyword/value DSN, quoted
// ('...' with \' escapes) or not.
var keywordSecret = regexp.MustCompile(`(?i)\b(\w*(?:pass|secret|token)\w*)\s*=\s*(?:'(?:[^'\\]|\\.)*'|\S+)`)

// secretParam reports a DSN query parameter that can carry a secret (pgx accepts
// ?password= and ?sslpassword=).
func secretParam(k string) bool {
	k = strings.ToLower(k)
	return strings.Contains(k, "pass") || strings.Contains(k, "secret") || strings.Contains(k, "token")
}
