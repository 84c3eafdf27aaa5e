package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/property"
	"github.com/vmware/govmomi/session"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/cbtscope/cbtscope/vsphere/simulator"
)

// buildCbtscope builds the binary once per test into a temp dir: the
// command line is tested as users run it, not through run().
func buildCbtscope(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "cbtscope")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func TestSimServesUntilSignalled(t *testing.T) {
	bin := buildCbtscope(t)
	for _, tc := range []struct {
		name string
		args []string
		sig  os.Signal
	}{
		{"http, SIGINT", []string{"sim"}, os.Interrupt},
		{"https, SIGTERM", []string{"sim", "--tls", "--page-extents", "500"}, syscall.SIGTERM},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(bin, tc.args...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Process.Kill()
			line, err := bufio.NewReader(out).ReadString('\n')
			if err != nil {
				t.Fatalf("reading the JSON line: %v (stderr: %s)", err, stderr.String())
			}
			var desc simulator.Description
			if err := json.Unmarshal([]byte(line), &desc); err != nil {
				t.Fatalf("JSON line %q: %v", line, err)
			}
			u, err := url.Parse(desc.URL)
			if err != nil || u.User != nil || !strings.HasPrefix(u.Host, "127.0.0.1:") {
				t.Fatalf("url %q: want loopback, no credentials (%v)", desc.URL, err)
			}
			if len(desc.Disks) < 8 || len(desc.Datastores) < 2 {
				t.Fatalf("description has %d disks, %d datastores", len(desc.Disks), len(desc.Datastores))
			}

			// Any username and password log in; page the log disk's "*" map.
			u.User = url.UserPassword("someone", "anything")
			ctx := context.Background()
			c, err := govmomi.NewClient(ctx, u, true)
			if err != nil {
				t.Fatal(err)
			}
			var disk simulator.DiskInfo
			for _, d := range desc.Disks {
				if d.Name == simulator.DemoDatabase {
					disk = d
				}
			}
			var ds types.ManagedObjectReference
			for _, d := range desc.Datastores {
				if d.Name == disk.Datastore {
					ds = d.Moref
				}
			}
			extents := 0
			for off := int64(0); off < disk.CapacityBytes; {
				res, err := methods.VstorageObjectVCenterQueryChangedDiskAreas(ctx, c, &types.VstorageObjectVCenterQueryChangedDiskAreas{
					This: *c.ServiceContent.VStorageObjectManager, Id: types.ID{Id: disk.ID}, Datastore: ds,
					SnapshotId: types.ID{Id: disk.Snapshots[3].ID}, StartOffset: off, ChangeId: disk.Snapshots[2].ChangeID,
				})
				if err != nil {
					t.Fatal(err)
				}
				if res.Returnval.Length <= 0 {
					t.Fatalf("length %d at %d", res.Returnval.Length, off)
				}
				extents += len(res.Returnval.ChangedArea)
				off += res.Returnval.Length
			}
			if extents == 0 {
				t.Error("no changed extents on the database disk")
			}
			// A changeId naming a fault injection is just malformed: the
			// knobs alone choose injections.
			for _, bad := range []string{"cbtscope-sim-inject:http500", "cbtscope-sim-inject:dropConnection"} {
				_, err := methods.VstorageObjectVCenterQueryChangedDiskAreas(ctx, c, &types.VstorageObjectVCenterQueryChangedDiskAreas{
					This: *c.ServiceContent.VStorageObjectManager, Id: types.ID{Id: disk.ID}, Datastore: ds,
					SnapshotId: types.ID{Id: disk.Snapshots[3].ID}, ChangeId: bad,
				})
				if !soap.IsSoapFault(err) {
					t.Fatalf("changeId %q: %v, want a SOAP fault", bad, err)
				}
				if f, ok := soap.ToSoapFault(err).VimFault().(types.InvalidArgument); !ok || f.InvalidProperty != "changeId" {
					t.Errorf("changeId %q: fault %#v, want InvalidArgument changeId", bad, soap.ToSoapFault(err).VimFault())
				}
			}

			checkSimVMs(t, line, c.Client)
			checkSimJSON(t, desc, c.Client)

			if err := cmd.Process.Signal(tc.sig); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("exit after %v: %v (stderr: %s)", tc.sig, err, stderr.String())
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("still running 10s after %v", tc.sig)
			}
			if rest, _ := bufio.NewReader(out).ReadString('\n'); rest != "" {
				t.Errorf("more than one line on stdout: %q", rest)
			}
		})
	}
}

func TestSimRefusesNonLoopback(t *testing.T) {
	bin := buildCbtscope(t)
	for _, addr := range []string{"0.0.0.0:0", "[::]:0", "192.0.2.1:8989"} {
		cmd := exec.Command(bin, "sim", "--listen", addr)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != exitUsage {
			t.Errorf("--listen %s: %v, want exit %d", addr, err, exitUsage)
		}
		if msg := strings.TrimSpace(stderr.String()); strings.Count(msg, "\n") != 0 || !strings.Contains(msg, "loopback") {
			t.Errorf("--listen %s: stderr %q, want one line about loopback", addr, msg)
		}
	}
}

// checkSimJSON checks the "jsonURL" of the JSON line: the server's own
// host, the release the server advertises, and a govmomi VI/JSON client
// pointed at it logs in and reads the same first changed-areas page of the
// database disk as the SOAP client c.
func checkSimJSON(t *testing.T, desc simulator.Description, c *vim25.Client) {
	t.Helper()
	ju, err := url.Parse(desc.JSONURL)
	su, _ := url.Parse(desc.URL)
	if err != nil || ju.Scheme != su.Scheme || ju.Host != su.Host || ju.User != nil || ju.Path != "/sdk/vim25/"+simulator.JSONRelease {
		t.Fatalf("jsonURL %q (url %q): want %s://%s/sdk/vim25/%s", desc.JSONURL, desc.URL, su.Scheme, su.Host, simulator.JSONRelease)
	}
	su.User = url.UserPassword("someone", "anything")
	sc := soap.NewClient(su, true)
	if err := sc.UseServiceVersion(); err != nil || sc.Version != path.Base(ju.Path) {
		t.Fatalf("advertised release %q (%v), jsonURL names %s", sc.Version, err, path.Base(ju.Path))
	}
	sc.UseJSON(true)
	ctx := context.Background()
	jc, err := vim25.NewClient(ctx, sc)
	if err == nil {
		err = session.NewManager(jc).Login(ctx, su.User)
	}
	if err != nil {
		t.Fatalf("VI/JSON login at %s: %v", desc.JSONURL, err)
	}
	var disk simulator.DiskInfo
	var ds types.ManagedObjectReference
	for _, d := range desc.Disks {
		if d.Name == simulator.DemoDatabase {
			disk = d
		}
	}
	for _, d := range desc.Datastores {
		if d.Name == disk.Datastore {
			ds = d.Moref
		}
	}
	req := &types.VstorageObjectVCenterQueryChangedDiskAreas{
		This: *c.ServiceContent.VStorageObjectManager, Id: types.ID{Id: disk.ID}, Datastore: ds,
		SnapshotId: types.ID{Id: disk.Snapshots[1].ID}, ChangeId: "*",
	}
	viaSOAP, err := methods.VstorageObjectVCenterQueryChangedDiskAreas(ctx, c, req)
	if err != nil {
		t.Fatal(err)
	}
	viaJSON, err := methods.VstorageObjectVCenterQueryChangedDiskAreas(ctx, jc, req)
	if err != nil {
		t.Fatalf("changed areas over VI/JSON: %v", err)
	}
	if !reflect.DeepEqual(viaJSON.Returnval, viaSOAP.Returnval) || len(viaJSON.Returnval.ChangedArea) == 0 {
		t.Errorf("first page over VI/JSON has %d extents, over SOAP %d, or they differ", len(viaJSON.Returnval.ChangedArea), len(viaSOAP.Returnval.ChangedArea))
	}
}

// checkSimVMs reads the "vms" of the JSON line in the shape scripts rely on,
// and checks it against the server with govmomi alone: the changeIds match
// the snapshots' backings, and VirtualMachine.QueryChangedDiskAreas pages a
// changed map between two of them.
func checkSimVMs(t *testing.T, line string, c *vim25.Client) {
	t.Helper()
	var raw struct {
		VMs []struct {
			Name       string                       `json:"name"`
			Moref      types.ManagedObjectReference `json:"moref"`
			PowerState string                       `json:"powerState"`
			CBTEnabled *bool                        `json:"cbtEnabled"`
			Disks      []struct {
				Key           int32  `json:"key"`
				Label         string `json:"label"`
				CapacityBytes int64  `json:"capacityBytes"`
				Datastore     string `json:"datastore"`
			} `json:"disks"`
			Snapshots []struct {
				Name       string                       `json:"name"`
				Moref      types.ManagedObjectReference `json:"moref"`
				CreateTime time.Time                    `json:"createTime"`
				ChangeIDs  map[string]string            `json:"changeIds"`
			} `json:"snapshots"`
		} `json:"vms"`
	}
	if err := json.Unmarshal([]byte(line), &raw); err != nil {
		t.Fatal(err)
	}
	if len(raw.VMs) < 5 {
		t.Fatalf("the JSON line lists %d VMs", len(raw.VMs))
	}
	ctx := context.Background()
	for _, vm := range raw.VMs {
		if vm.Moref.Type != "VirtualMachine" || vm.PowerState == "" || vm.CBTEnabled == nil || len(vm.Disks) == 0 || len(vm.Snapshots) < 3 {
			t.Fatalf("VM %+v", vm)
		}
		for i, sn := range vm.Snapshots {
			if i > 0 && sn.CreateTime.Before(vm.Snapshots[i-1].CreateTime) {
				t.Fatalf("VM %s: snapshots not oldest first", vm.Name)
			}
		}
		if vm.Name != simulator.DemoVMSQL {
			continue
		}
		base, cur := vm.Snapshots[2], vm.Snapshots[3]
		var sn mo.VirtualMachineSnapshot
		if err := property.DefaultCollector(c).RetrieveOne(ctx, base.Moref, []string{"config.hardware.device"}, &sn); err != nil {
			t.Fatal(err)
		}
		for _, dev := range sn.Config.Hardware.Device {
			disk, ok := dev.(*types.VirtualDisk)
			if !ok {
				continue
			}
			key := strconv.Itoa(int(disk.Key))
			if id := disk.Backing.(*types.VirtualDiskFlatVer2BackingInfo).ChangeId; id == "" || id != base.ChangeIDs[key] {
				t.Fatalf("%s disk %s: backing changeId %q, the JSON line says %q", vm.Name, key, id, base.ChangeIDs[key])
			}
			extents := 0
			for off := int64(0); off < disk.CapacityInBytes; {
				info, err := object.NewVirtualMachine(c, vm.Moref).QueryChangedDiskAreas(ctx, &base.Moref, &cur.Moref, disk, off)
				if err != nil {
					t.Fatal(err)
				}
				if info.Length <= 0 {
					t.Fatalf("length %d at %d", info.Length, off)
				}
				extents += len(info.ChangedArea)
				off += info.Length
			}
			if extents == 0 {
				t.Errorf("%s disk %s: nothing changed between %s and %s", vm.Name, key, base.Name, cur.Name)
			}
		}
	}
}
