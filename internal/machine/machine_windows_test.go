package machine_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/Microsoft/hcsshim"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/windows"
	"gotest.tools/v3/assert"

	"github.com/libcontainerd-windows/local/hcs"
	"github.com/libcontainerd-windows/local/internal/core"
	"github.com/libcontainerd-windows/local/internal/hcsfake"
	"github.com/libcontainerd-windows/local/internal/machine"
)

// For every spec of the corpus, the document we build and the hcsshim
// document the binding converts it to are the same JSON: HCS receives what
// the golden files show.
func TestHcsshimDocumentsMatchTheGoldenCorpus(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "testdata", "specs", "*.json"))
	assert.NilError(t, err)
	// The golden documents' host (testdata/specs/README.md).
	host := hcsfake.New(2, `C:\layers\base\UtilityVM`, `C:\layers\upper\UtilityVM`)
	checked := 0
	for _, file := range files {
		data, err := os.ReadFile(file)
		assert.NilError(t, err)
		var spec *specs.Spec
		assert.NilError(t, json.Unmarshal(data, &spec))
		config, process, err := core.Documents(context.Background(), strings.TrimSuffix(filepath.Base(file), ".json"), spec, host)
		if err != nil {
			continue
		}
		assert.Equal(t, mustJSON(t, machine.ToHcsshimContainerConfig(config)), mustJSON(t, config), file)
		assert.Equal(t, mustJSON(t, machine.ToHcsshimProcessConfig(process)), mustJSON(t, process), file)
		checked++
	}
	t.Logf("%d documents checked", checked)
	assert.Assert(t, checked >= 20)
}

// The conversions copy every field: documents with every field set marshal
// alike on both sides.
func TestConversionsCopyEveryField(t *testing.T) {
	var config hcs.ContainerConfig
	fill(reflect.ValueOf(&config).Elem())
	assert.Equal(t, mustJSON(t, machine.ToHcsshimContainerConfig(&config)), mustJSON(t, &config))

	var process hcs.ProcessConfig
	fill(reflect.ValueOf(&process).Elem())
	assert.Equal(t, mustJSON(t, machine.ToHcsshimProcessConfig(&process)), mustJSON(t, &process))

}

// fill sets every field reachable from v to a value that is not zero.
func fill(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		v.SetString("x")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int32, reflect.Int64:
		v.SetInt(7)
	case reflect.Uint, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(7)
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(time.Time{}) {
			v.Set(reflect.ValueOf(time.Date(2026, 11, 28, 1, 2, 3, 4, time.UTC)))
			return
		}
		for i := 0; i < v.NumField(); i++ {
			fill(v.Field(i))
		}
	case reflect.Pointer:
		if v.Type() == reflect.TypeOf(&json.RawMessage{}) {
			raw := json.RawMessage(`{"k":1}`)
			v.Set(reflect.ValueOf(&raw))
			return
		}
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem())
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fill(v.Index(0))
	case reflect.Array:
		for i := 0; i < v.Len(); i++ {
			fill(v.Index(i))
		}
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fill(k)
		fill(e)
		m.SetMapIndex(k, e)
		v.Set(m)
	default:
		panic("fill: unhandled kind " + v.Kind().String())
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	assert.NilError(t, err)
	return string(b)
}

func TestMapError(t *testing.T) {
	for _, tc := range []struct {
		name    string
		err     error
		classes []error
	}{
		{"pending", &hcsshim.ContainerError{Err: hcsshim.ErrVmcomputeOperationPending}, []error{hcs.ErrPending}},
		{"already stopped", &hcsshim.ContainerError{Err: hcsshim.ErrVmcomputeAlreadyStopped}, []error{hcs.ErrAlreadyStopped}},
		{"does not exist", &hcsshim.ContainerError{Err: hcsshim.ErrComputeSystemDoesNotExist}, []error{hcs.ErrNotExist}},
		{"element not found is both", &hcsshim.ProcessError{Err: hcsshim.ErrElementNotFound}, []error{hcs.ErrNotExist, hcs.ErrAlreadyStopped}},
		{"already closed", &hcsshim.ProcessError{Err: hcsshim.ErrAlreadyClosed}, []error{hcs.ErrAlreadyClosed}},
		{"timeout", &hcsshim.ContainerError{Err: hcsshim.ErrTimeout}, []error{hcs.ErrTimeout}},
		{"invalid state", &hcsshim.ProcessError{Err: hcsshim.ErrVmcomputeOperationInvalidState}, []error{hcs.ErrInvalidState}},
		{"broken pipe", &hcsshim.ProcessError{Err: windows.ERROR_BROKEN_PIPE}, []error{hcs.ErrBrokenPipe}},
		{"other", &hcsshim.ProcessError{Err: syscall.Errno(5)}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mapped := machine.MapError(tc.err)
			assert.Equal(t, mapped.Error(), tc.err.Error(), "the original text")
			var perr *hcsshim.ProcessError
			var cerr *hcsshim.ContainerError
			assert.Check(t, errors.As(mapped, &perr) || errors.As(mapped, &cerr), "the original error")
			all := []error{hcs.ErrPending, hcs.ErrAlreadyStopped, hcs.ErrNotExist, hcs.ErrAlreadyClosed, hcs.ErrInvalidState, hcs.ErrBrokenPipe, hcs.ErrTimeout}
			for _, class := range all {
				want := false
				for _, c := range tc.classes {
					want = want || c == class
				}
				assert.Check(t, errors.Is(mapped, class) == want, "%v: %v", class, errors.Is(mapped, class))
			}
		})
	}
	assert.NilError(t, machine.MapError(nil))
}

func TestMachineHostFacts(t *testing.T) {
	host, err := machine.Host()
	assert.NilError(t, err)
	assert.Check(t, host.NumCPU() > 0)
	exe, err := os.Executable()
	assert.NilError(t, err)
	found, err := host.PathExists(context.Background(), exe)
	assert.NilError(t, err)
	assert.Check(t, found)
	found, err = host.PathExists(context.Background(), exe+`.missing\UtilityVM`)
	assert.NilError(t, err)
	assert.Check(t, !found)
}
