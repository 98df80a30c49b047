package main

import (
	"bufio"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// An attempt to reach an address, as Go's net package words its errors
// ("lookup HOST:", "dial tcp ADDR:", "proxyconnect tcp: dial tcp ADDR:") and
// dockerd its logs: the address, to the next space, quote or comma.
var reach = regexp.MustCompile(`\b(?:lookup|dial (?:tcp|udp)[46]?) ([^\s",]+)`)

// reachedOut lists the addresses beyond loopback that the daemons' logs or
// the tests' output show a lookup or a dial of, with where.
func (h *harness) reachedOut() []string {
	logs, _ := filepath.Glob(filepath.Join(h.logDir, "dockerd-*.log"))
	tests, _ := filepath.Glob(filepath.Join(h.logDir, "tests", "*.log"))
	seen := map[string]bool{}
	var found []string
	for _, path := range append(logs, tests...) {
		for _, host := range reachedIn(path) {
			what := host + " (" + filepath.Base(path) + ")"
			if !seen[what] {
				seen[what] = true
				found = append(found, what)
			}
		}
	}
	sort.Strings(found)
	return found
}

// reachedIn lists the hosts beyond loopback a file names in a lookup or a
// dial.
func reachedIn(path string) []string {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	return reachedFrom(f)
}

// reachedFrom lists the hosts beyond loopback a text names in a lookup or
// a dial.
func reachedFrom(r io.Reader) []string {
	var hosts []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
	for sc.Scan() {
		for _, m := range reach.FindAllStringSubmatch(sc.Text(), -1) {
			if host := hostOf(m[1]); !loopback(host) {
				hosts = append(hosts, host)
			}
		}
	}
	return hosts
}

// hostOf is the host of an address as an error names it: HOST, HOST:PORT
// or [IPv6]:PORT, maybe followed by the colon before the error's text.
func hostOf(addr string) string {
	addr = strings.TrimSuffix(addr, ":")
	if host, _, err := net.SplitHostPort(addr); err == nil {
		return host
	}
	return strings.Trim(addr, "[]")
}

// loopback tells whether host names this machine's loopback.
func loopback(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
