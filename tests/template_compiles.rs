//! The rendered `DllMain` (`blastool template dllmain`) must compile with the Windows toolchains
//! users have: MinGW-w64 GCC and clang targeting MSVC. It must also link into a real DLL whose
//! entry point runs our `DllMain`.
//!
//! Missing compilers: with `BLASTOOL_REQUIRE_TOOLS=1` (set in CI) the test fails and names the apt
//! package; otherwise it prints `SKIPPED: ...` to stderr and passes.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use blastool::template::{render_dllmain, DllMainSpec};
use object::{Object, ObjectSection, ObjectSymbol, SectionKind};

const INIT: &str = "gotoblas_init";
const QUIT: &str = "gotoblas_quit";

/// Where Debian's `mingw-w64-x86-64-dev` puts the Windows headers (`windows.h`).
const MINGW_INCLUDE: &str = "/usr/x86_64-w64-mingw32/include";

struct Tool {
    program: &'static str,
    apt_package: &'static str,
}

const MINGW_GCC: Tool = Tool {
    program: "x86_64-w64-mingw32-gcc",
    apt_package: "gcc-mingw-w64-x86-64",
};

const CLANG: Tool = Tool {
    program: "clang",
    apt_package: "clang",
};

/// Fails the test (CI) or prints a loud SKIPPED line and returns false.
fn missing(test: &str, what: &str, apt_package: &str) -> bool {
    common::require(
        false,
        &format!("{test}: {what}"),
        &format!("apt-get install {apt_package}"),
    )
}

/// True when every tool runs and the MinGW headers are installed.
fn have_tools(test: &str, tools: &[&Tool]) -> bool {
    for tool in tools {
        if Command::new(tool.program)
            .arg("--version")
            .output()
            .is_err()
        {
            return missing(test, tool.program, tool.apt_package);
        }
    }
    // clang needs MinGW's headers too; GCC ships them through the same package's dependency.
    if !Path::new(MINGW_INCLUDE).join("windows.h").is_file() {
        return missing(
            test,
            &format!("{MINGW_INCLUDE}/windows.h"),
            "mingw-w64-x86-64-dev",
        );
    }
    true
}

/// Writes the rendered `DllMain` for OpenBLAS's pair into `dir` and returns its path.
fn write_rendered(dir: &Path) -> PathBuf {
    let source = render_dllmain(&DllMainSpec {
        init: INIT.into(),
        quit: QUIT.into(),
    })
    .expect("template renders");
    let path = dir.join("dllmain.c");
    std::fs::write(&path, source).expect("write dllmain.c");
    path
}

/// Runs `cmd` and fails the test with its full output unless it exits 0.
fn run(cmd: &mut Command) {
    let output = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        output.status.success(),
        "{cmd:?} failed ({})\n--- stdout\n{}\n--- stderr\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
}

/// The object defines `DllMain` and leaves INIT, QUIT and `DisableThreadLibraryCalls` to the
/// linker, all with plain C names (no C++ mangling).
fn check_object(path: &Path) {
    let data = std::fs::read(path).expect("read object");
    let obj = object::File::parse(&*data).expect("parse COFF object");
    let symbol = |name: &str| {
        obj.symbols()
            .find(|s| s.name() == Ok(name))
            .unwrap_or_else(|| panic!("{}: no symbol {name}", path.display()))
    };
    let dllmain = symbol("DllMain");
    assert!(
        dllmain.is_definition() && dllmain.is_global(),
        "DllMain not defined"
    );
    for name in [INIT, QUIT, "__imp_DisableThreadLibraryCalls"] {
        assert!(symbol(name).is_undefined(), "{name} should be undefined");
    }
}

#[test]
fn mingw_gcc_compiles_rendered_dllmain() {
    if !have_tools("mingw_gcc_compiles_rendered_dllmain", &[&MINGW_GCC]) {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let source = write_rendered(dir.path());
    let object = dir.path().join("dllmain.o");
    run(Command::new(MINGW_GCC.program)
        .args(["-c", "-Wall", "-Wextra", "-Werror"])
        .arg(&source)
        .arg("-o")
        .arg(&object));
    check_object(&object);
}

// clang for an MSVC target, without MSVC's headers: we borrow MinGW's `windows.h`.
//
// What works (clang 14, mingw-w64 10):
//   clang --target=x86_64-pc-windows-msvc -fms-extensions -fgnuc-version=4.2.1
//         -isystem /usr/x86_64-w64-mingw32/include -c dllmain.c
// `-isystem` alone is not enough. For MSVC targets clang does not define `__GNUC__`, so MinGW's
// `_mingw.h` does `#define __attribute__(x)` and clang's own intrinsic headers, pulled in by
// `winnt.h`, then fail on vector types. `-fgnuc-version=4.2.1` (clang's default for GNU targets)
// defines `__GNUC__` again while keeping the MSVC target, ABI and `_MSC_VER`. `-fms-extensions`
// is already the default for MSVC targets; we pass it to say what we rely on.
fn clang_msvc(source: &Path, object: &Path, language: &str) -> Command {
    let mut cmd = Command::new(CLANG.program);
    cmd.args([
        "--target=x86_64-pc-windows-msvc",
        "-fms-extensions",
        "-fgnuc-version=4.2.1",
        "-isystem",
        MINGW_INCLUDE,
        "-Wall",
        "-Wextra",
        "-Werror",
        "-x",
        language,
        "-c",
    ])
    .arg(source)
    .arg("-o")
    .arg(object);
    cmd
}

#[test]
fn clang_msvc_target_compiles_rendered_dllmain() {
    if !have_tools("clang_msvc_target_compiles_rendered_dllmain", &[&CLANG]) {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let source = write_rendered(dir.path());

    let object = dir.path().join("dllmain.obj");
    run(&mut clang_msvc(&source, &object, "c"));
    check_object(&object);

    // Users with a C++ project may compile the file as C++: the `extern "C"` block must keep the
    // names unmangled.
    let object_cxx = dir.path().join("dllmain_cxx.obj");
    run(&mut clang_msvc(&source, &object_cxx, "c++"));
    check_object(&object_cxx);
}

#[test]
fn mingw_links_dll_whose_entry_point_runs_rendered_dllmain() {
    if !have_tools(
        "mingw_links_dll_whose_entry_point_runs_rendered_dllmain",
        &[&MINGW_GCC],
    ) {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let source = write_rendered(dir.path());
    // Stands in for the statically linked library.
    let library = dir.path().join("library.c");
    std::fs::write(
        &library,
        format!(
            "static int initialized;\n\
             void {INIT}(void) {{ initialized = 1; }}\n\
             void {QUIT}(void) {{ initialized = 0; }}\n"
        ),
    )
    .expect("write library.c");
    let dll = dir.path().join("glue.dll");
    run(Command::new(MINGW_GCC.program)
        .args(["-shared", "-Wall", "-Wextra", "-Werror"])
        .arg(&source)
        .arg(&library)
        .arg("-o")
        .arg(&dll));

    let data = std::fs::read(&dll).expect("read DLL");
    let pe = object::File::parse(&*data).expect("parse PE");
    assert!(
        matches!(pe, object::File::Pe64(_)),
        "not a PE32+ image: {:?}",
        pe.format()
    );

    // The entry point (MinGW's DllMainCRTStartup, which calls DllMain) exists and is code.
    let entry = pe.entry();
    assert_ne!(
        entry,
        pe.relative_address_base(),
        "AddressOfEntryPoint is 0"
    );
    let section = pe
        .sections()
        .find(|s| (s.address()..s.address() + s.size()).contains(&entry))
        .unwrap_or_else(|| panic!("entry point {entry:#x} is in no section"));
    assert_eq!(
        section.kind(),
        SectionKind::Text,
        "entry point {entry:#x} is in {:?}, not code",
        section.name()
    );

    // Our DllMain was linked, not MinGW's empty default from libmingw32: only ours calls
    // DisableThreadLibraryCalls.
    let imports: Vec<_> = pe
        .imports()
        .expect("read imports")
        .collect::<Result<_, _>>()
        .expect("read an import");
    assert!(
        imports.iter().any(|i| {
            i.library().eq_ignore_ascii_case(b"KERNEL32.dll")
                && i.name() == object::NameOrOrdinal::Name(&b"DisableThreadLibraryCalls"[..])
        }),
        "glue.dll does not import KERNEL32!DisableThreadLibraryCalls"
    );
    for name in ["DllMain", INIT, QUIT] {
        assert!(
            pe.symbols()
                .any(|s| s.name() == Ok(name) && s.is_definition()),
            "glue.dll has no definition of {name}"
        );
    }
}
