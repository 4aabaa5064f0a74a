//! Records the git commit the binary was built from (meta.json's
//! `git_commit`): `git rev-parse HEAD` when built inside a repository,
//! "unknown" otherwise (a crate tarball, or no git installed).

use std::process::Command;

fn main() {
    let commit = Command::new("git")
        .args(["rev-parse", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown".to_string());
    println!("cargo:rustc-env=COMMSIM_GIT_COMMIT={commit}");
    // Rebuild when HEAD moves: a checkout changes .git/HEAD, a commit the
    // branch file it names.
    let git_dir = Command::new("git")
        .args(["rev-parse", "--git-dir"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_string());
    if let Some(dir) = git_dir {
        println!("cargo:rerun-if-changed={dir}/HEAD");
        if let Ok(head) = std::fs::read_to_string(format!("{dir}/HEAD")) {
            if let Some(r) = head.strip_prefix("ref: ") {
                println!("cargo:rerun-if-changed={dir}/{}", r.trim());
            }
        }
    }
    println!("cargo:rerun-if-changed=build.rs");
}
