// Package simulator owns cbtscope's embedded vCenter: govmomi's vcsim running
// in-process, extended with the changed block tracking (CBT) methods vcsim
// lacks (VstorageObjectVCenterQueryChangedDiskAreas, RetrieveSnapshotDetails,
// Set/ClearVStorageObjectControlFlags, VirtualMachine.QueryChangedDiskAreas),
// a change journal per First Class Disk and per VM disk that answers them,
// changeIds stamped on VM disk backings when a snapshot is taken, the demo
// inventory, and test knobs that inject latency and faults.
//
// Everything is served over real HTTP or HTTPS on loopback, so a client talks
// SOAP to it exactly as it would to vCenter:
//
//	s, err := simulator.Start(simulator.Options{TLS: true})
//	defer s.Close()
//	c, err := govmomi.NewClient(ctx, s.URL(), true)
//
// The same simulator also speaks VI/JSON, as vCenter 8.0 U1 and later do:
// POST {JSONURL}/{Type}/{moId}/{Method} with the method's parameters as a
// JSON body, the session in the vmware-api-session-id header that Login's
// reply carries. The front is a generic bridge to the SOAP handler
// (json_bridge.go), so every method answers over both, knobs included, and
// /sdk/vimServiceVersions.xml advertises JSONRelease:
//
//	sc := soap.NewClient(s.URL(), true)
//	sc.UseServiceVersion() // Version = JSONRelease
//	sc.UseJSON(true)
//	c, err := vim25.NewClient(ctx, sc)
//
// The journal is the ground truth: GroundTruth (VMGroundTruth for a VM's
// disk) returns the merged extents a full sweep of the query must produce, so tests compare against it rather
// than against hand-written expectations.
package simulator
