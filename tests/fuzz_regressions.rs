//! Inputs the fuzzer once crashed on (`scripts/fuzz-seed.sh`): each must now give a report
//! without reaching the engine's panic guard.

use std::path::Path;

#[test]
fn fuzzer_findings_stay_fixed() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz-regressions");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        let origin = blastool::audit::Origin { directory: None };
        let name = path.display().to_string();
        for report in blastool::audit::audit_bytes(&name, &data, origin) {
            let error = report.error.unwrap_or_default();
            assert!(!error.contains("internal error"), "{name}: {error}");
        }
        checked += 1;
    }
    assert!(
        checked >= 2,
        "expected the committed regression inputs, found {checked}"
    );
}
