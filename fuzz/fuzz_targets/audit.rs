//! Fuzz target over the audit entry point: any bytes, as a file, an archive or a container
//! (zip, tarball, compressed stream, nested), must produce reports (possibly with an error) and
//! never panic, hang or allocate without bound.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let origin = blastool::audit::Origin { directory: None };
    // Small limits keep each run fast: a bomb is refused after a few MiB, not after 16 GiB.
    let limits = blastool::audit::container::Limits {
        max_member_size: 64 << 20,
        max_total_size: 256 << 20,
        max_in_memory: 16 << 20,
        ..Default::default()
    };
    let audit = blastool::audit::audit_input("fuzz-input", data, origin, &limits);
    // Rendering must cope with whatever the engine produced.
    let _ = blastool::report::json::render(&audit.reports, &audit.skipped, &Default::default());
    let _ = blastool::report::sarif::render(&audit.reports, &Default::default());
});
