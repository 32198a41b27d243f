//! Smoke test: compiles templates/blas/smoke.c against the rendered headers with the `cc`
//! crate's compiler (the cross compiler for a cross build), links it against each produced
//! library and runs it: directly, under qemu-user or under Wine. When nothing here can run it,
//! it is only compiled and linked, and the build says so loudly and records it; it never claims
//! a pass.

use super::plan::{c_compiler, Plan};
use super::{check_interrupt, cross, fail, templates, Failure};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Stdio;

/// The smoke test's outcome, for the report.
pub(super) struct Smoke {
    /// The report's `smoke_test` entry.
    pub summary: Value,
    /// The kernel tables the library says it holds (null when it did not run).
    pub compiled_tables: Value,
}

/// Runs the smoke test against the libraries in the install tree at `root`, working in
/// `stage/smoke`.
pub(super) fn smoke_test(
    plan: &Plan,
    root: &Path,
    stage: &Path,
    native_libs: &[String],
) -> Result<Smoke, Failure> {
    let program = SmokeProgram::write(plan, root, stage, native_libs)?;
    let runner = cross::runner(plan.target);
    let mut wine_notes = Vec::new();
    if let Ok(cross::Runner::Wine(wine)) = &runner {
        wine_notes = cross::prepare_wine(wine, &program.compiler, &program.dir, stage)?;
    }
    let mut runs = serde_json::Map::new();
    let mut compiled_tables = Value::Null;
    for kind in library_kinds(plan) {
        let exe = program.compile(kind)?;
        let runner = match &runner {
            Ok(runner) => runner,
            Err(why) => {
                runs.insert(
                    kind.into(),
                    json!({"result": "compiled and linked, not run", "why": why}),
                );
                continue;
            }
        };
        let stdout = program.run(kind, &exe, runner, stage)?;
        if let Some(tables) = reported_tables(&stdout) {
            compiled_tables = tables;
        }
        let core = stdout
            .lines()
            .find_map(|l| l.strip_prefix("smoke ok: core="))
            .unwrap_or("?")
            .to_string();
        runs.insert(
            kind.into(),
            json!({"result": "passed", "core": core, "runner": runner.name(), "output": stdout.trim()}),
        );
    }
    Ok(Smoke {
        summary: summary(plan, &runner, wine_notes, runs),
        compiled_tables,
    })
}

/// The libraries the build produces, in the order they are tested.
fn library_kinds(plan: &Plan) -> Vec<&'static str> {
    let mut kinds = Vec::new();
    if plan.want_static {
        kinds.push("static");
    }
    if plan.want_shared {
        kinds.push("shared");
    }
    kinds
}

/// The `tables=[A,B]` list the smoke program prints.
fn reported_tables(stdout: &str) -> Option<Value> {
    let tables = stdout.split("tables=[").nth(1)?.split(']').next()?;
    Some(json!(tables.split(',').collect::<Vec<_>>()))
}

/// The report's `smoke_test` entry; warns when the program could not run.
fn summary(
    plan: &Plan,
    runner: &Result<cross::Runner, String>,
    wine_notes: Vec<String>,
    runs: serde_json::Map<String, Value>,
) -> Value {
    let result = if runner.is_ok() {
        "passed"
    } else {
        "compiled and linked, NOT run"
    };
    if let Err(why) = runner {
        // Loud on purpose, even with --quiet: a library whose smoke program never ran has not
        // been shown to work.
        eprintln!(
            "warning: the smoke program for {} was compiled and linked but NOT run: {why}",
            plan.target.triple
        );
    }
    json!({
        "result": result,
        "ran": runner.is_ok(),
        "runner": runner.as_ref().ok().map(cross::Runner::name),
        "not_run_because": runner.as_ref().err(),
        "wine_notes": wine_notes,
        "calls": (["cblas_dgemm", "dgemm_", "ddot_"].map(|f| plan.exported_name(f))),
        "runs": runs,
    })
}

/// The smoke program's source, written out, and what it is built with.
struct SmokeProgram<'a> {
    plan: &'a Plan,
    /// The install tree under test.
    root: &'a Path,
    native_libs: &'a [String],
    /// Where the source and the executables go.
    dir: PathBuf,
    source: PathBuf,
    compiler: cc::Tool,
}

impl<'a> SmokeProgram<'a> {
    /// Writes smoke.c, with the plan's symbol names, into `stage/smoke`.
    fn write(
        plan: &'a Plan,
        root: &'a Path,
        stage: &Path,
        native_libs: &'a [String],
    ) -> Result<SmokeProgram<'a>, Failure> {
        let dir = stage.join("smoke");
        std::fs::create_dir_all(&dir)
            .or_else(|e| fail(format!("cannot create {}: {e}", dir.display())))?;
        let source = dir.join("smoke.c");
        let smoke_source = templates::rename_exports(
            templates::template("smoke.c"),
            &plan.symbol_prefix,
            &plan.symbol_suffix,
        );
        std::fs::write(&source, smoke_source)
            .or_else(|e| fail(format!("cannot write the smoke program: {e}")))?;
        let compiler = c_compiler(plan.target, &dir)?;
        Ok(SmokeProgram {
            plan,
            root,
            native_libs,
            dir,
            source,
            compiler,
        })
    }

    /// Compiles and links the program against the `kind` ("static" or "shared") library;
    /// returns the executable.
    fn compile(&self, kind: &str) -> Result<PathBuf, Failure> {
        let windows = cross::is_windows(self.plan.target);
        let lib_name = &self.plan.name;
        let lib = self.root.join("lib");
        let exe = self
            .dir
            .join(format!("smoke-{kind}{}", if windows { ".exe" } else { "" }));
        let mut command = self.compiler.to_command();
        command
            .arg(&self.source)
            // A call the headers do not declare (e.g. a name they spell differently from the
            // library's export) must fail here, not link by accident through an implicit
            // declaration.
            .arg("-Werror=implicit-function-declaration")
            .arg("-I")
            .arg(self.root.join("include"))
            .arg("-o")
            .arg(&exe);
        if kind == "static" {
            command.arg(lib.join(format!("lib{lib_name}.a")));
            command.args(self.native_libs);
        } else {
            // MinGW's ld prefers lib<name>.dll.a (the import library) to lib<name>.a here.
            command.arg("-L").arg(&lib).arg(format!("-l{lib_name}"));
        }
        if !windows {
            command.arg("-lm");
        }
        let output = command
            .stdin(Stdio::null())
            .output()
            .or_else(|e| fail(format!("cannot run the C compiler: {e}")))?;
        if !output.status.success() {
            check_interrupt()?;
            return fail(format!(
                "the C smoke program does not compile or link against the {kind} library: {}",
                String::from_utf8_lossy(&output.stderr)
                    .lines()
                    .find(|l| l.contains("error"))
                    .unwrap_or("compiler failed")
            ));
        }
        Ok(exe)
    }

    /// Runs `exe` with `runner`; returns its standard output once it has reported success.
    fn run(
        &self,
        kind: &str,
        exe: &Path,
        runner: &cross::Runner,
        stage: &Path,
    ) -> Result<String, Failure> {
        // The smoke program exercises the target's own table when the CPU has it.
        let coretype = self.plan.target.tables.last().copied().unwrap_or("GENERIC");
        let lib = self.root.join("lib");
        let bin = self.root.join("bin");
        let run = cross::run_command(runner, exe, &lib, &bin, coretype, stage)
            .stdin(Stdio::null())
            .output()
            .or_else(|e| {
                fail(format!(
                    "cannot run the smoke program ({}): {e}",
                    runner.name()
                ))
            })?;
        let stdout = String::from_utf8_lossy(&run.stdout).to_string();
        if !run.status.success() || !stdout.contains("smoke ok:") {
            check_interrupt()?;
            let stderr = String::from_utf8_lossy(&run.stderr);
            return fail(format!(
                "the smoke test failed with the {kind} library ({}, {}): {}",
                runner.name(),
                run.status,
                stderr.trim().lines().last().unwrap_or("no output")
            ));
        }
        Ok(stdout)
    }
}
