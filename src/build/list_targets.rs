//! `blastool targets`: the table of build targets, with what this machine can build and run
//! (natively, under an emulator, or as a Windows DLL), as text or JSON.

use super::targets::{self, Target};
use super::{cross, rustflags, TargetsArgs};
use serde_json::{json, Value};
use std::io::Write;

/// `blastool targets`: the table, with what this machine can build and run.
pub fn run_targets(args: TargetsArgs) -> u8 {
    let host = targets::detect_host();
    let rows = target_rows(host);
    let text = if args.json {
        serde_json::to_string_pretty(&rows).unwrap_or_default() + "\n"
    } else {
        let mut out = table_text(&rows, host);
        out.push_str(&why_not_text(&rows));
        out.push_str("\nDLL: the same target built with --os windows (a MinGW DLL). RUN: yes, or the emulator that runs it (qemu, wine).\n");
        out.push_str("\nAliases: X86_64=GENERIC, SKYLAKE_AVX512=SKYLAKEX, ZEN2/ZEN3=ZEN, AARCH64=ARMV8, DYNAMIC_ARCH=DYNAMIC\n");
        out
    };
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.flush())
    {
        Ok(()) => 0,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => 0,
        Err(e) => {
            eprintln!("error: cannot write to standard output: {e}");
            2
        }
    }
}

/// One JSON row per target: its flags and whether (and why not) it builds and runs here.
fn target_rows(host: &Target) -> Vec<Value> {
    let installed = targets::installed_triples();
    targets::TARGETS
        .iter()
        .map(|t| {
            let blocker = cross::build_blocker(t, &installed);
            let run = cross::runner(t);
            json!({
                "name": t.name,
                "triple": t.triple,
                "rustflags": rustflags(t).join(" "),
                "kernel_tables": t.tables,
                "can_build": blocker.is_none(),
                "can_run": run.is_ok(),
                "run_with": run.as_ref().ok().map(cross::Runner::name),
                "host_default": t.name == host.name,
                "why_not_buildable": blocker,
                "why_not_runnable": run.err(),
                "windows": cross::windows_row(t, &installed),
                "note": t.note,
            })
        })
        .collect()
}

/// The aligned text table, the row of `host` (this CPU) marked.
fn table_text(rows: &[Value], host: &Target) -> String {
    // RUN names the emulator when the code runs under one.
    fn run(row: &Value) -> &str {
        match row["run_with"].as_str() {
            Some("native") => "yes",
            Some(emulator) => emulator.trim_end_matches("-aarch64"),
            None => "no",
        }
    }
    let yes = |b: bool| if b { "yes" } else { "no" };
    let mut table: Vec<[String; 8]> = vec![[
        "TARGET",
        "RUST TARGET",
        "FLAGS",
        "KERNEL TABLES",
        "BUILD",
        "RUN",
        "DLL BUILD",
        "DLL RUN",
    ]
    .map(String::from)];
    for (t, row) in targets::TARGETS.iter().zip(rows) {
        table.push([
            t.name.to_string(),
            t.triple.to_string(),
            codegen_flags(t),
            t.tables.join(","),
            yes(row["can_build"] == true).to_string(),
            run(row).to_string(),
            yes(row["windows"]["can_build"] == true).to_string(),
            run(&row["windows"]).to_string(),
        ]);
    }
    let widths: Vec<usize> = (0..8)
        .map(|c| table.iter().map(|r| r[c].len()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for (i, cells) in table.iter().enumerate() {
        let line: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        let this_cpu = i > 0 && targets::TARGETS[i - 1].name == host.name;
        let line = line.join("  ");
        out.push_str(line.trim_end());
        out.push_str(if this_cpu { "  <- this CPU\n" } else { "\n" });
    }
    out
}

/// FLAGS shows the code-generation flags; the tables have their own column.
fn codegen_flags(t: &Target) -> String {
    rustflags(t)
        .into_iter()
        .filter(|f| f.starts_with("-C"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Every distinct reason a BUILD or RUN column says "no", as a list under the table (empty when
/// there is none).
fn why_not_text(rows: &[Value]) -> String {
    let mut reasons: Vec<String> = Vec::new();
    for row in rows {
        for why in [
            &row["why_not_buildable"],
            &row["why_not_runnable"],
            &row["windows"]["why_not_buildable"],
            &row["windows"]["why_not_runnable"],
        ] {
            if let Some(why) = why.as_str() {
                if !reasons.iter().any(|r| r == why) {
                    reasons.push(why.to_string());
                }
            }
        }
    }
    if reasons.is_empty() {
        return String::new();
    }
    let mut out = String::from("\nWhy not (BUILD/RUN \"no\"):\n");
    for why in reasons {
        out.push_str(&format!("  - {why}\n"));
    }
    out
}
