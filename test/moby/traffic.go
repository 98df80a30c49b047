package main

import (
	"bufio"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// An attempt to reach an address, as Go's net package words its errors
// ("lookup HOST", "dial tcp ADDR", "proxyconnect tcp: dial tcp ADDR") and
// dockerd its logs.
var reach = regexp.MustCompile(`\b(?:lookup|dial (?:tcp|udp)[46]?) \[?([A-Za-z0-9_.:-]+?)\]?(?::\d+)?(?:[\s:,"]|$)`)

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
	var hosts []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
	for sc.Scan() {
		for _, m := range reach.FindAllStringSubmatch(sc.Text(), -1) {
			if !loopback(m[1]) {
				hosts = append(hosts, m[1])
			}
		}
	}
	return hosts
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
