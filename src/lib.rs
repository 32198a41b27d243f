//! blastool as a library: the audit engine, its rules and report formats. The `blastool` binary
//! is thin glue over this crate.

pub mod audit;
pub mod bench;
pub mod build;
pub mod leakcheck;
pub mod policy;
pub mod report;
pub mod rules;
pub mod template;
pub mod wine_stand_in;
