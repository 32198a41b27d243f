//! Static archives (`.a`, `.lib`): an input layer in front of the format readers. Every object
//! member is audited as a file of its own (a thin archive's members are read from beside it),
//! MSVC short import members are passed over quietly, and constructors left unpaired in one
//! member are then paired by name with destructors in the others.

use super::model::{FileReport, Format};
use super::{audit_member, judge, Origin};
use object::read::archive::{ArchiveFile, ArchiveMember};
use object::FileKind;
use std::path::PathBuf;

/// Audits a static archive's members, named `name` or, when the archive is itself a member of
/// a container, `container_member(name)`.
pub(super) fn audit_archive(
    path: &str,
    container_member: Option<&str>,
    data: &[u8],
    origin: Origin,
) -> Vec<FileReport> {
    let archive_member = || container_member.map(str::to_string);
    let archive = match ArchiveFile::parse(data) {
        Ok(archive) => archive,
        Err(error) => {
            return vec![FileReport::failed(
                path,
                archive_member(),
                Format::Archive,
                format!("not a valid archive: {error}"),
            )]
        }
    };
    let mut reports = Vec::new();
    for member in archive.members() {
        let member = match member {
            Ok(member) => member,
            Err(error) => {
                reports.push(FileReport::failed(
                    path,
                    archive_member(),
                    Format::Archive,
                    format!("archive member table is corrupt: {error}"),
                ));
                break;
            }
        };
        reports.extend(audit_one_member(
            path,
            container_member,
            data,
            &member,
            origin,
        ));
    }
    judge::pairing::pair_across_members(&mut reports);
    if reports.is_empty() {
        let mut report = FileReport::not_audited(
            path,
            archive_member(),
            Format::Archive,
            "the archive has no object members",
        );
        report.audited = true;
        reports.push(report);
    }
    reports
}

/// The reports of one archive member: its own bytes, or for a thin archive the file it names.
fn audit_one_member(
    path: &str,
    container_member: Option<&str>,
    data: &[u8],
    member: &ArchiveMember,
    origin: Origin,
) -> Vec<FileReport> {
    let name = String::from_utf8_lossy(member.name()).into_owned();
    let name = match container_member {
        Some(archive) => format!("{archive}({name})"),
        None => name,
    };
    if member.is_thin() && container_member.is_some() {
        // Its members are files beside the archive, which a container does not have.
        return vec![FileReport::failed(
            path,
            Some(name),
            Format::Archive,
            "a thin archive inside a container: its members are not in the container".to_string(),
        )];
    }
    if member.is_thin() {
        let location = origin
            .directory
            .map(|dir| dir.join(&name))
            .unwrap_or_else(|| PathBuf::from(&name));
        return match std::fs::read(&location) {
            Ok(bytes) if is_short_import(&bytes) => Vec::new(),
            Ok(bytes) => audit_member(path, Some(name), &bytes, origin, false),
            Err(error) => vec![FileReport::failed(
                path,
                Some(name),
                Format::Unknown,
                format!(
                    "thin archive member {} cannot be read: {error}",
                    location.display()
                ),
            )],
        };
    }
    match member.data(data) {
        Ok(bytes) if is_short_import(bytes) => Vec::new(),
        Ok(bytes) => audit_member(path, Some(name), bytes, origin, false),
        Err(error) => vec![FileReport::failed(
            path,
            Some(name),
            Format::Unknown,
            format!("archive member data is out of bounds: {error}"),
        )],
    }
}

/// MSVC import libraries are full of short import members (no code, one per imported
/// function): they are skipped quietly.
fn is_short_import(bytes: &[u8]) -> bool {
    matches!(FileKind::parse(bytes), Ok(FileKind::CoffImport))
}
