package main

import (
	"strings"
	"testing"
	"time"

	"gotest.tools/v3/assert"
)

func TestParseResultsCountsTheUnitsDepth(t *testing.T) {
	out := `=== RUN   TestDockerCLIRunSuite
=== RUN   TestDockerCLIRunSuite/TestRunEchoStdout
--- PASS: TestDockerCLIRunSuite/TestRunEchoStdout (1.20s)
=== RUN   TestDockerCLIRunSuite/TestRunExit
    docker_cli_run_test.go:12: assertion failed
    --- FAIL: TestDockerCLIRunSuite/TestRunExit/sub (0.10s)
    --- FAIL: TestDockerCLIRunSuite/TestRunExit (0.30s)
    --- SKIP: TestDockerCLIRunSuite/TestRunLinux (0.00s)
--- FAIL: TestDockerCLIRunSuite (1.60s)
`
	assert.DeepEqual(t, parseResults(strings.NewReader(out), 1), map[string]outcome{
		"TestDockerCLIRunSuite/TestRunEchoStdout": pass,
		"TestDockerCLIRunSuite/TestRunExit":       fail,
		"TestDockerCLIRunSuite/TestRunLinux":      skip,
	})
	assert.DeepEqual(t, parseResults(strings.NewReader(out), 0), map[string]outcome{"TestDockerCLIRunSuite": fail})
}

func TestTallyComparesOutcomes(t *testing.T) {
	var tl tally
	documented := map[string]bool{"TestD": true}
	for _, c := range []struct {
		name        string
		stock, ours outcome
		verdict     string
	}{
		{"TestA", pass, pass, "pass on both"},
		{"TestB", fail, fail, "fail on both"},
		{"TestC", skip, skip, "skipped"},
		{"TestD", fail, pass, "differs as documented"},
		{"TestE", pass, fail, "UNEXPECTED"},
		{"TestF", pass, none, "UNEXPECTED"},
		{"TestG", none, none, "none on both"},
		{"TestI", hang, hang, "hang on both"},
		{"TestH", skip, pass, "UNEXPECTED"},
	} {
		assert.Equal(t, tl.count(c.name, c.stock, c.ours, documented), c.verdict, c.name)
	}
	assert.Equal(t, tl.String(), "8 ran, 1 pass on both, 3 fail on both, 1 differ as documented, 3 unexpected")
}

func TestSkipPatternLeavesOutWhatWasReported(t *testing.T) {
	top := unit{counted: 0}
	assert.Equal(t, skipPattern(top, nil), networked)
	assert.Equal(t, skipPattern(top, map[string]outcome{"TestB": pass, "TestA.x": hang}), networked+`|^(TestA\.x|TestB)$`)
	suite := unit{counted: 1}
	assert.Equal(t, skipPattern(suite, map[string]outcome{"TestS/TestB": fail, "TestS/TestA": hang}), networked+`|^TestS$/^(TestA|TestB)$`)
	api := unit{name: "integration-cli/TestDockerAPISuite", counted: 1}
	assert.Equal(t, skipPattern(api, nil), networked+`|^TestDockerAPISuite$/^(TestContainersAPICreateMountsBindNamedPipe)$`)
	assert.Equal(t, skipPattern(api, map[string]outcome{"TestDockerAPISuite/TestA": pass}),
		networked+`|^TestDockerAPISuite$/^(TestA|TestContainersAPICreateMountsBindNamedPipe)$`)
}

func TestWatchFollowsRunningTests(t *testing.T) {
	w := newWatch(1)
	results := map[string]outcome{}
	w.read(strings.NewReader(`=== RUN   TestS
=== RUN   TestS/TestA
=== PAUSE TestS/TestA
=== RUN   TestS/TestB
=== RUN   TestS/TestB/sub
=== RUN   TestS/TestC
=== RUN   TestS/TestD
    --- PASS: TestS/TestC (0.01s)
=== CONT  TestS/TestA
`), results)
	// B and C ended when the next test started (a suite prints their
	// results at its end); A goes on in parallel.
	assert.DeepEqual(t, w.runningSince(time.Now().Add(time.Hour)), []string{"TestS/TestA", "TestS/TestD"})
	assert.DeepEqual(t, w.runningSince(time.Now().Add(-time.Hour)), []string(nil))
	assert.DeepEqual(t, results, map[string]outcome{"TestS/TestC": pass})
	w.read(strings.NewReader("=== RUN   TestS/TestE\n"), results)
	assert.DeepEqual(t, w.runningSince(time.Now().Add(time.Hour)), []string{"TestS/TestA", "TestS/TestE"})
}

func TestTestPatternMatchesOneTest(t *testing.T) {
	assert.Equal(t, testPattern("TestDockerCLIRunSuite/TestRunEcho"), "^TestDockerCLIRunSuite$/^TestRunEcho$")
	assert.Equal(t, testPattern("TestInfoAPI"), "^TestInfoAPI$")
}

func TestSuiteNames(t *testing.T) {
	src := `func TestMain(m *testing.M) {}
func TestDockerCLIRunSuite(t *testing.T) {
func TestDockerRegistrySuite(t *testing.T) {
func TestDockerAPISuite(t *testing.T) {
func helper(t *testing.T) {}
`
	assert.DeepEqual(t, suiteNames(src), []string{"TestDockerAPISuite", "TestDockerCLIRunSuite", "TestDockerRegistrySuite"})
}

func TestUnitsSkipTheNetworkedSuites(t *testing.T) {
	units, err := unitsOf(`
func TestDockerCLIRunSuite(t *testing.T) {
func TestDockerCLIPullSuite(t *testing.T) {
func TestDockerHubPullSuite(t *testing.T) {
func TestDockerRegistryAuthTokenSuite(t *testing.T) {
func TestDockerCLILoginSuite(t *testing.T) {
`)
	assert.NilError(t, err)
	var names []string
	for _, u := range units {
		names = append(names, u.name)
	}
	assert.DeepEqual(t, names, []string{"integration/container", "integration/image", "integration/system", "integration-cli/TestDockerCLIRunSuite"})
	assert.Equal(t, units[3].binary(), "integration-cli.test.exe")
	assert.Equal(t, units[0].binary(), "integration-container.test.exe")
}

func TestReachedInFindsAddressesBeyondLoopback(t *testing.T) {
	lines := []string{
		`level=error msg="Get \"https://registry-1.docker.io/v2/\": proxyconnect tcp: dial tcp 127.0.0.1:9: connectex: No connection could be made"`,
		`dial tcp [::1]:2375: refused`,
		`lookup localhost: ok`,
		`Error response from daemon: Get "https://index.docker.io/v1/search": dial tcp: lookup index.docker.io: no such host`,
		`dial tcp 8.8.8.8:53: connect: network is unreachable`,
		`dial udp [2001:4860:4860::8888]:53: network is unreachable`,
		`nothing here: a dialog about lookups`,
	}
	assert.DeepEqual(t, reachedFrom(strings.NewReader(strings.Join(lines, "\n"))), []string{"index.docker.io", "8.8.8.8", "2001:4860:4860::8888"})
}

func TestDocumentedNeedsTheREADMEsWords(t *testing.T) {
	defer func(saved []deliberate) { deliberateDifferences = saved }(deliberateDifferences)
	deliberateDifferences = []deliberate{{test: "TestX", readme: "TestX passes with the library"}}
	_, err := documented("nothing")
	assert.ErrorContains(t, err, "TestX")
	tests, err := documented("... TestX passes with the library ...")
	assert.NilError(t, err)
	assert.DeepEqual(t, tests, map[string]bool{"TestX": true})
}
