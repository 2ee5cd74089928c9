package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// server is an `authd serve` child process with the development mail driver, whose
// log the bench reads for verification codes.
type server struct {
	cmd   *exec.Cmd
	base  string // http://host:port
	codes *codeBook
	logs  *tail
	bin   string   // the authd binary, for its CLI
	env   []string // the server's environment: the CLI acts on the same database
}

// cli runs an authd command against the server's database and returns its output.
func (s *server) cli(args ...string) (string, error) {
	cmd := exec.Command(s.bin, args...)
	cmd.Env = s.env
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("authd %s: %v", strings.Join(args, " "), err)
	}
	return string(out), nil
}

// startServer builds cmd/authd (unless bin is given) and starts it on a free port
// with dsn, limits opened up for one load-generating IP, and waits until ready.
func startServer(bin, dsn, dataDir string) (*server, error) {
	if bin == "" {
		bin = filepath.Join(dataDir, "authd")
		if out, err := exec.Command("go", "build", "-o", bin, "./cmd/authd").CombinedOutput(); err != nil {
			return nil, fmt.Errorf("go build ./cmd/authd (run from the repository root): %v\n%s", err, out)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(),
		"AUTHD_SERVER_ADDR="+addr, "AUTHD_SERVER_PUBLIC_URL=http://"+addr, "AUTHD_DATA_DIR="+dataDir,
		"AUTHD_DATABASE_DSN="+dsn, "AUTHD_MAIL_DRIVER=log", "AUTHD_LOG_LEVEL=info", "AUTHD_METRICS_ADDR=off",
		"AUTHD_KEYS_ENCRYPTION_KEY="+base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{42}, 32)),
		// One client IP drives everything, and 16 people sign in thousands of times
		// each: the per-IP and per-address limits would measure themselves (the
		// all-networks ones, once hit, also cost a read of the account's known networks).
		"AUTHD_LIMITS_REQUESTS_PER_IP_MINUTE=0", "AUTHD_LIMITS_CODE_SENDS_PER_IP_5M=1000000",
		"AUTHD_LIMITS_CODE_SENDS_PER_ADDRESS_15M=1000000", "AUTHD_LIMITS_CODE_SENDS_PER_ADDRESS_DAY=1000000",
		"AUTHD_LIMITS_CODE_SENDS_PER_ADDRESS_ALL_15M=1000000", "AUTHD_LIMITS_CODE_SENDS_PER_ADDRESS_ALL_DAY=1000000")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stdout = io.Discard
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{cmd: cmd, base: "http://" + addr, codes: newCodeBook(), logs: &tail{}, bin: bin, env: cmd.Env}
	go s.readLog(stderr)
	deadline := time.Now().Add(60 * time.Second)
	for {
		if r, err := http.Get(s.base + "/readyz"); err == nil {
			r.Body.Close()
			if r.StatusCode == 200 {
				return s, nil
			}
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, fmt.Errorf("authd did not become ready:\n%s", s.logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

var sixDigits = regexp.MustCompile(`\b(\d{6})\b`)

func (s *server) readLog(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var m struct{ Msg, To, Text string }
		if json.Unmarshal(line, &m) == nil && m.Msg == "development mail driver" {
			if c := sixDigits.FindStringSubmatch(m.Text); c != nil {
				s.codes.put(m.To, c[1])
				continue
			}
		}
		s.logs.add(string(line))
	}
}

func (s *server) stop() {
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
}

// rssMB reads the server's resident set size from /proc.
func (s *server) rssMB() float64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

// codeBook hands out the codes mailed to each address, oldest first.
type codeBook struct {
	mu sync.Mutex
	by map[string][]string
	ch chan struct{}
}

func newCodeBook() *codeBook { return &codeBook{by: map[string][]string{}, ch: make(chan struct{}, 1)} }

func (b *codeBook) put(to, code string) {
	b.mu.Lock()
	b.by[to] = append(b.by[to], code)
	b.mu.Unlock()
	select {
	case b.ch <- struct{}{}:
	default:
	}
}

// take waits for the next code mailed to address.
func (b *codeBook) take(address string, timeout time.Duration) (string, error) {
	deadline := time.Now().Add(timeout)
	for {
		b.mu.Lock()
		if q := b.by[address]; len(q) > 0 {
			b.by[address] = q[1:]
			b.mu.Unlock()
			return q[0], nil
		}
		b.mu.Unlock()
		if time.Now().After(deadline) {
			return "", fmt.Errorf("no code for %s within %s", address, timeout)
		}
		select {
		case <-b.ch:
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// tail keeps the last lines of the server's other log output, for error reports.
type tail struct {
	mu    sync.Mutex
	lines []string
}

func (t *tail) add(l string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.lines = append(t.lines, l)
	if len(t.lines) > 50 {
		t.lines = t.lines[len(t.lines)-50:]
	}
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.Join(t.lines, "\n")
}
