//! Fuzz target over the audit entry point: any bytes, as a file or an archive, must produce
//! reports (possibly with an error) and never panic, hang or allocate without bound.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let origin = blastool::audit::Origin { directory: None };
    let reports = blastool::audit::audit_bytes("fuzz-input", data, origin);
    // Rendering must cope with whatever the engine produced.
    let _ = blastool::report::json::render(&reports);
    let _ = blastool::report::sarif::render(&reports);
});
