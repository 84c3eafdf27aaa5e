// Package simulator owns cbtscope's embedded vCenter: govmomi's vcsim running
// in-process, extended with the changed block tracking (CBT) methods vcsim
// lacks (VstorageObjectVCenterQueryChangedDiskAreas, RetrieveSnapshotDetails,
// Set/ClearVStorageObjectControlFlags), a change journal per First Class Disk
// that answers them, the demo inventory, and test knobs that inject latency
// and faults.
//
// Everything is served over real HTTP or HTTPS on loopback, so a client talks
// SOAP to it exactly as it would to vCenter:
//
//	s, err := simulator.Start(simulator.Options{TLS: true})
//	defer s.Close()
//	c, err := govmomi.NewClient(ctx, s.URL(), true)
//
// The journal is the ground truth: GroundTruth returns the merged extents a
// full sweep of the query must produce, so tests compare against it rather
// than against hand-written expectations.
package simulator
