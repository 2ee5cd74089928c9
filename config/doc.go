// Package config is authd's configuration: the Config struct, its defaults, loading
// from a YAML file and AUTHD_* environment variables with viper, and Validate. Only
// cmd/authd (through package app) reads it; every other package receives plain
// Options built from it.
package config
