//! blastool in packaging pipelines, exercised for real: `pip install` of the checkout in a fresh
//! venv (maturin, `bindings = "bin"`), the pre-commit hook through `pre-commit try-repo`, the
//! composite GitHub Action and the README's workflow checked against GitHub's schemas, and the
//! cibuildwheel audit recipe run through cibuildwheel's own option reader.
//!
//! pip builds blastool with cargo: the tests hand it the suite's `CARGO_TARGET_DIR` and the
//! `dev` profile (`MATURIN_PEP517_ARGS`), so it links the build the suite already made instead
//! of a cold release build.

mod common;

use common::{fixture, require, scratch, text};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const CHECKOUT: &str = env!("CARGO_MANIFEST_DIR");

/// One pip-driven cargo build at a time: maturin writes its wheel into the shared target
/// directory, and two builds of the same package there would race for it.
static BUILDS: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn one_build_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    BUILDS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The environment that lets pip's maturin build reuse the suite's cargo build.
fn reuse_build(command: &mut Command) -> &mut Command {
    command
        .env("CARGO_TARGET_DIR", common::target_dir())
        .env("MATURIN_PEP517_ARGS", "--profile dev")
        .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
}

fn python3_venv_works() -> bool {
    Command::new("python3")
        .args(["-c", "import venv, ensurepip"])
        .output()
        .is_ok_and(|o| o.status.success())
}

fn run(command: &mut Command) -> Output {
    command.output().expect("run the command")
}

/// A fresh venv with blastool `pip install`ed from the checkout; returns its `bin/`.
fn venv_with_blastool(dir: &Path) -> PathBuf {
    let venv = dir.join("venv");
    let made = run(Command::new("python3").args(["-m", "venv"]).arg(&venv));
    assert!(made.status.success(), "{}", text(&made.stderr));
    let bin = venv.join("bin");
    let started = std::time::Instant::now();
    let installed = run(reuse_build(
        Command::new(bin.join("pip")).args(["install", "--quiet", CHECKOUT]),
    ));
    assert!(
        installed.status.success(),
        "pip install failed:\n{}\n{}",
        text(&installed.stdout),
        text(&installed.stderr)
    );
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr(),
        "pip install of the checkout took {:.1} s",
        started.elapsed().as_secs_f64()
    );
    bin
}

#[test]
fn pip_install_puts_a_working_blastool_on_the_venv_path() {
    if !require(
        python3_venv_works(),
        "python3 with venv and ensurepip",
        "apt-get install python3-venv",
    ) {
        return;
    }
    let _serial = one_build_at_a_time();
    let dir = scratch("packaging", "pip-install");
    let bin = venv_with_blastool(&dir);
    // Found through PATH, as a user of the venv finds it.
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let which = run(Command::new("sh")
        .args(["-c", "command -v blastool"])
        .env("PATH", &path));
    assert_eq!(
        text(&which.stdout).trim(),
        bin.join("blastool").display().to_string()
    );
    let version = run(Command::new("blastool").arg("--version").env("PATH", &path));
    assert!(version.status.success());
    assert_eq!(
        text(&version.stdout).trim(),
        concat!("blastool ", env!("CARGO_PKG_VERSION"))
    );
    let leaky = run(Command::new("blastool")
        .args(["audit", "--quiet", "--no-config"])
        .arg(fixture("elf/x86_64-gnuld/unpaired.so"))
        .env("PATH", &path));
    assert_eq!(leaky.status.code(), Some(1));
    assert!(text(&leaky.stdout).contains("warning[BLT001]"));
}

/// A git repository with one commit holding `files` (name, fixture).
fn git_repository(dir: &Path, files: &[(&str, &str)]) {
    std::fs::create_dir_all(dir).unwrap();
    let git = |args: &[&str]| {
        let output = run(Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.invalid")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.invalid"));
        assert!(
            output.status.success(),
            "git {args:?}: {}",
            text(&output.stderr)
        );
    };
    git(&["init", "--quiet"]);
    for (name, from) in files {
        std::fs::copy(fixture(from), dir.join(name)).unwrap();
    }
    git(&["add", "."]);
    git(&["commit", "--quiet", "-m", "binaries"]);
}

#[test]
fn the_pre_commit_hook_fails_on_a_leaky_library_and_passes_a_tidy_one() {
    let pre_commit = common::python_tool("pre-commit");
    if !require(
        pre_commit.is_some() && common::tool_runs("git"),
        "pre-commit (in .tools/venv) and git",
        "scripts/test.sh installs pre-commit: python3 -m venv .tools/venv && .tools/venv/bin/pip install pre-commit",
    ) {
        return;
    }
    let pre_commit = pre_commit.unwrap();
    let _serial = one_build_at_a_time();
    let dir = scratch("packaging", "pre-commit");
    let repo = dir.join("repo");
    git_repository(
        &repo,
        &[
            ("libleaky.so.1", "elf/x86_64-gnuld/unpaired.so"),
            ("tidy.so", "elf/x86_64-gnuld/paired.so"),
            ("notes.txt", "bad/script.sh"),
        ],
    );
    let try_repo = |files: &[&str]| {
        let mut command = Command::new(&pre_commit);
        command
            .args([
                "try-repo",
                CHECKOUT,
                "blastool-audit",
                "--verbose",
                "--files",
            ])
            .args(files)
            .current_dir(&repo)
            // A private home so the user's own pre-commit cache is left alone. try-repo
            // builds the hook in a temporary store every time (pip and maturin, with cargo
            // reusing the suite's target directory), so each call is a fresh install.
            .env("PRE_COMMIT_HOME", dir.join("pre-commit-home"));
        let output = run(reuse_build(&mut command));
        (
            output.status.code(),
            text(&output.stdout) + &text(&output.stderr),
        )
    };
    let (status, output) = try_repo(&["libleaky.so.1", "tidy.so", "notes.txt"]);
    assert_eq!(status, Some(1), "{output}");
    assert!(
        output.contains("blastool audit") && output.contains("Failed"),
        "{output}"
    );
    assert!(
        output.contains("libleaky.so.1: warning[BLT001]"),
        "{output}"
    );
    assert!(!output.contains("notes.txt"), "not a binary name: {output}");
    let (status, output) = try_repo(&["tidy.so", "notes.txt"]);
    assert_eq!(status, Some(0), "{output}");
    assert!(output.contains("Passed"), "{output}");
}

/// The README's example workflow: the ```yaml block that starts with this comment line.
const WORKFLOW_MARK: &str = "# .github/workflows/binaries.yml";

fn readme_block(mark: &str) -> String {
    let readme = std::fs::read_to_string(Path::new(CHECKOUT).join("README.md")).unwrap();
    let start = readme
        .find(mark)
        .unwrap_or_else(|| panic!("README has no block starting with {mark}"));
    let end = readme[start..].find("\n```").expect("the block ends") + start;
    readme[start..end].to_string()
}

fn check_jsonschema(schema: &str, file: &Path) -> Output {
    run(
        Command::new(common::python_tool("check-jsonschema").unwrap())
            .args(["--builtin-schema", schema])
            .arg(file),
    )
}

#[test]
fn the_action_and_the_readme_workflow_pass_githubs_schemas() {
    if !require(
        common::python_tool("check-jsonschema").is_some(),
        "check-jsonschema (in .tools/venv)",
        "scripts/test.sh installs it: .tools/venv/bin/pip install check-jsonschema",
    ) {
        return;
    }
    let dir = scratch("packaging", "schemas");
    let action = Path::new(CHECKOUT).join("action.yml");
    let checked = check_jsonschema("vendor.github-actions", &action);
    assert!(checked.status.success(), "{}", text(&checked.stdout));
    let workflow = dir.join("binaries.yml");
    let block = readme_block(WORKFLOW_MARK);
    assert!(
        block.contains("uses: ./") || block.contains("blastool@"),
        "{block}"
    );
    assert!(
        block.contains("matrix:") && block.contains("category:"),
        "{block}"
    );
    std::fs::write(&workflow, &block).unwrap();
    let checked = check_jsonschema("vendor.github-workflows", &workflow);
    assert!(checked.status.success(), "{}", text(&checked.stdout));
    // The check can fail: an action without `runs` is rejected.
    let broken = dir.join("broken-action.yml");
    let text_of_action = std::fs::read_to_string(&action).unwrap();
    let cut = text_of_action.find("\nruns:").unwrap();
    std::fs::write(&broken, &text_of_action[..cut]).unwrap();
    assert!(!check_jsonschema("vendor.github-actions", &broken)
        .status
        .success());
}

/// Runs the action's steps with tests/support/run_action.py; returns its record.
fn run_action(workdir: &Path, inputs: serde_json::Value) -> serde_json::Value {
    let python = common::python_tool("python").unwrap();
    let mut command = Command::new(python);
    command
        .arg(Path::new(CHECKOUT).join("tests/support/run_action.py"))
        .arg(CHECKOUT)
        .arg(inputs.to_string())
        .arg(workdir);
    // Only the action's own install step may put blastool on PATH.
    let path = std::env::var_os("PATH").unwrap_or_default();
    let without_blastool: Vec<PathBuf> = std::env::split_paths(&path)
        .filter(|dir| !dir.join("blastool").exists())
        .collect();
    command.env("PATH", std::env::join_paths(without_blastool).unwrap());
    let output = run(reuse_build(&mut command));
    assert!(
        output.status.success(),
        "runner: {}{}",
        text(&output.stdout),
        text(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

fn step<'a>(record: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    record["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("step {name} did not run: {record:#}"))
}

#[test]
fn the_action_audits_uploads_per_category_and_writes_a_summary() {
    if !require(
        common::python_tool("python").is_some() && python3_venv_works(),
        "the .tools/venv Python (with PyYAML, from pre-commit) and python3-venv",
        "scripts/test.sh creates .tools/venv: .tools/venv/bin/pip install pre-commit",
    ) {
        return;
    }
    let _serial = one_build_at_a_time();
    let dir = scratch("packaging", "action");
    std::fs::create_dir_all(dir.join("dist")).unwrap();
    std::fs::copy(
        fixture("elf/x86_64-gnuld/unpaired.so"),
        dir.join("dist/libleaky.so"),
    )
    .unwrap();
    std::fs::copy(fixture("elf/x86_64-gnuld/paired.so"), dir.join("tidy.so")).unwrap();

    let leaky = run_action(
        &dir,
        serde_json::json!({"paths": "dist\n tidy.so", "category": "blastool-linux-x86_64"}),
    );
    assert_eq!(step(&leaky, "Install blastool")["status"], 0, "{leaky:#}");
    let audit = step(&leaky, "Audit");
    assert_eq!(audit["outputs"]["exit-code"], "1", "{leaky:#}");
    let sarif_path = audit["outputs"]["sarif-file"].as_str().unwrap();
    let sarif: serde_json::Value =
        serde_json::from_slice(&std::fs::read(sarif_path).unwrap()).unwrap();
    assert_eq!(
        sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
            ["uri"],
        "dist/libleaky.so"
    );
    let upload = &leaky["uses"][0];
    assert!(upload["uses"]
        .as_str()
        .unwrap()
        .starts_with("github/codeql-action/upload-sarif@"));
    assert_eq!(upload["with"]["category"], "blastool-linux-x86_64");
    assert_eq!(upload["with"]["sarif_file"], sarif_path);
    let summary = leaky["summary"].as_str().unwrap();
    assert!(
        summary.contains("| `dist/libleaky.so` | BLT001 | warning | `leaky_init` |"),
        "{summary}"
    );
    assert_eq!(step(&leaky, "Verdict")["status"], 1, "the step fails");

    let clean = run_action(
        &dir,
        serde_json::json!({"paths": "tidy.so", "fail-on": "error", "category": "c2"}),
    );
    assert_eq!(step(&clean, "Audit")["outputs"]["exit-code"], "0");
    assert_eq!(step(&clean, "Verdict")["status"], 0, "{clean:#}");
    assert!(clean["summary"]
        .as_str()
        .unwrap()
        .contains("No findings in 1 audited file(s)."));
}

/// The README's cibuildwheel block.
const CIBW_MARK: &str = "# pyproject.toml: cibuildwheel audit";
const CLEAN_WHEEL: &str = "tidy-1.0-cp311-cp311-manylinux_2_28_x86_64.whl";
const LEAKY_WHEEL: &str = "leaky-1.0-cp311-cp311-manylinux_2_28_x86_64.whl";

/// A project whose pyproject.toml holds the README's recipe, verbatim.
fn cibuildwheel_project(dir: &Path) -> PathBuf {
    let project = dir.join("project");
    std::fs::create_dir_all(&project).unwrap();
    std::fs::write(
        project.join("pyproject.toml"),
        format!(
            "[project]\nname = \"demo\"\nversion = \"1.0\"\n\n{}\n",
            readme_block(CIBW_MARK)
        ),
    )
    .unwrap();
    project
}

/// Runs tests/support/cibw_audit.py on `wheels` with the suite's blastool first on PATH.
fn cibuildwheel_audit(project: &Path, wheels: &[PathBuf]) -> serde_json::Value {
    let bin = Path::new(env!("CARGO_BIN_EXE_blastool")).parent().unwrap();
    let output = run(Command::new(common::python_tool("python").unwrap())
        .arg(Path::new(CHECKOUT).join("tests/support/cibw_audit.py"))
        .arg(project)
        .arg("cp311-manylinux_x86_64")
        .args(wheels)
        .current_dir(project)
        .env(
            "PATH",
            format!(
                "{}:{}",
                bin.display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        ));
    assert!(
        output.status.success(),
        "{}{}",
        text(&output.stdout),
        text(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// The exit status of the last audit command run on `wheel`, and the commands run.
fn audit_outcome(record: &serde_json::Value, wheel: &str) -> (i64, Vec<String>) {
    let runs = record["wheels"][wheel].as_array().unwrap();
    let commands = runs
        .iter()
        .map(|r| r["command"].as_str().unwrap().to_string())
        .collect();
    (runs.last().unwrap()["status"].as_i64().unwrap(), commands)
}

fn cibuildwheel_available() -> bool {
    require(
        common::python_tool("cibuildwheel").is_some(),
        "cibuildwheel (in .tools/venv)",
        "scripts/test.sh installs it: .tools/venv/bin/pip install cibuildwheel",
    )
}

/// The wheel contents: a `.so` from the fixtures plus the metadata files.
fn wheel_files(name: &str, library: &str) -> Vec<(String, Vec<u8>)> {
    let distribution = name.split('-').next().unwrap();
    let info = format!("{distribution}-1.0.dist-info");
    vec![
        (
            format!("{distribution}/_core.cpython-311-x86_64-linux-gnu.so"),
            std::fs::read(fixture(library)).unwrap(),
        ),
        (
            format!("{info}/METADATA"),
            format!("Metadata-Version: 2.1\nName: {distribution}\nVersion: 1.0\n").into_bytes(),
        ),
        (
            format!("{info}/WHEEL"),
            b"Wheel-Version: 1.0\nRoot-Is-Purelib: false\nTag: cp311-cp311-manylinux_2_28_x86_64\n"
                .to_vec(),
        ),
        (format!("{info}/RECORD"), Vec::new()),
    ]
}

/// The recipe on unpacked wheels: directories named like the wheels, so that cibuildwheel's
/// abi3 check reads the same names, audited by the same command line.
#[test]
fn the_cibuildwheel_recipe_keeps_abi3audit_and_fails_on_a_leaky_unpacked_wheel() {
    if !cibuildwheel_available() {
        return;
    }
    let dir = scratch("packaging", "cibuildwheel-unpacked");
    let project = cibuildwheel_project(&dir);
    let mut wheels = Vec::new();
    for (name, library) in [
        (CLEAN_WHEEL, "elf/x86_64-gnuld/paired.so"),
        (LEAKY_WHEEL, "elf/x86_64-gnuld/unpaired.so"),
    ] {
        let root = dir.join("wheelhouse").join(name);
        for (path, bytes) in wheel_files(name, library) {
            let file = root.join(path);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(file, bytes).unwrap();
        }
        wheels.push(root);
    }
    let record = cibuildwheel_audit(&project, &wheels);
    assert_eq!(
        record["audit_command"],
        serde_json::json!([
            "abi3audit --strict --report {abi3_wheel}",
            "blastool audit {wheel}"
        ]),
        "the default abi3 audit is kept, blastool's appended"
    );
    assert_eq!(record["audit_requires"][0], "abi3audit");
    assert!(record["audit_requires"][1]
        .as_str()
        .unwrap()
        .starts_with("blastool @ "));
    let (status, commands) = audit_outcome(&record, CLEAN_WHEEL);
    assert_eq!(status, 0, "{record:#}");
    assert_eq!(
        commands,
        vec![format!("blastool audit {}", wheels[0].display())],
        "abi3audit is skipped for a cp311 wheel, as cibuildwheel does"
    );
    let (status, _) = audit_outcome(&record, LEAKY_WHEEL);
    assert_eq!(status, 1, "{record:#}");
}

/// The recipe on real `.whl` files, audited in place: the clean wheel exits 0, the leaky one 1.
#[test]
fn the_cibuildwheel_recipe_audits_real_wheels_in_place() {
    if !cibuildwheel_available() {
        return;
    }
    let dir = scratch("packaging", "cibuildwheel-wheels");
    let project = cibuildwheel_project(&dir);
    let wheelhouse = dir.join("wheelhouse");
    std::fs::create_dir_all(&wheelhouse).unwrap();
    let mut wheels = Vec::new();
    for (name, library) in [
        (CLEAN_WHEEL, "elf/x86_64-gnuld/paired.so"),
        (LEAKY_WHEEL, "elf/x86_64-gnuld/unpaired.so"),
    ] {
        // Python's zipfile writes the wheel (a zip with the .dist-info inside).
        let staging = dir.join("staging").join(name);
        for (path, bytes) in wheel_files(name, library) {
            let file = staging.join(path);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(file, bytes).unwrap();
        }
        let wheel = wheelhouse.join(name);
        let zipped = run(Command::new("python3")
            .args(["-m", "zipfile", "-c"])
            .arg(&wheel)
            .args(
                std::fs::read_dir(&staging)
                    .unwrap()
                    .map(|e| e.unwrap().path()),
            )
            .current_dir(&staging));
        assert!(zipped.status.success(), "{}", text(&zipped.stderr));
        wheels.push(wheel);
    }
    let record = cibuildwheel_audit(&project, &wheels);
    let (status, _) = audit_outcome(&record, CLEAN_WHEEL);
    assert_eq!(status, 0, "{record:#}");
    let (status, _) = audit_outcome(&record, LEAKY_WHEEL);
    assert_eq!(
        status, 1,
        "a wheel with a leaky extension fails the cibuildwheel audit (needs container support): {record:#}"
    );
}
