//! The Slurm scripts for real: a 4-task array of deploy/slurm/sweep-array.sbatch
//! and deploy/slurm/merge.sbatch with `--dependency=afterok`, on the local
//! single-node cluster of deploy/slurm/local-cluster.sh, must give the same
//! bytes as one `commsim sweep` process.
//!
//! The test needs that cluster, which needs root: `.ci/run` installs Slurm,
//! starts it and sets `COMMSIM_SLURM_DIR`. Without that variable the test is
//! skipped with a message; with it, a cluster that does not answer is a
//! failure.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use crate::util::{check, commsim, describe, read_results, small_with, write, BIN};

/// Prints a line on stderr even while the test harness captures output (it
/// captures the print macros, not writes to the stream), so that a skip is
/// seen in every `cargo test` run.
fn note(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// Runs a Slurm command against the test cluster.
fn slurm(conf: &Path, program: &str, args: &[&str], cwd: &Path) -> Output {
    Command::new(program)
        .args(args)
        .env("SLURM_CONF", conf)
        .current_dir(cwd)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"))
}

fn ok(conf: &Path, program: &str, args: &[&str], cwd: &Path) -> String {
    let out = slurm(conf, program, args, cwd);
    assert!(
        out.status.success(),
        "{program} {args:?} failed\n{}",
        describe(&out)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Every job's output file in `dir`, for failure messages.
fn job_logs(dir: &Path) -> String {
    let mut text = String::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with("commsim-") && name.ends_with(".out") {
            let body = std::fs::read_to_string(entry.path()).unwrap_or_default();
            text.push_str(&format!("--- {name} ---\n{body}\n"));
        }
    }
    text
}

#[test]
fn four_shard_array_and_merge_job_equal_one_process() {
    let Some(slurm_dir) = std::env::var_os("COMMSIM_SLURM_DIR") else {
        note(
            "skipped: slurm::four_shard_array_and_merge_job_equal_one_process needs a local Slurm \
             cluster; run `deploy/slurm/local-cluster.sh start` as root and set COMMSIM_SLURM_DIR \
             (.ci/run does both where it can)",
        );
        return;
    };
    let conf = Path::new(&slurm_dir).join("etc/slurm.conf");
    assert!(
        conf.is_file(),
        "COMMSIM_SLURM_DIR is set but {} does not exist: start the cluster with deploy/slurm/local-cluster.sh start",
        conf.display()
    );
    let started = Instant::now();
    let dir = tempfile::tempdir().expect("temporary folder");
    let d = dir.path();
    let nodes = ok(&conf, "sinfo", &["-h", "-o", "%T"], d);
    assert!(
        nodes.contains("idle") || nodes.contains("mix"),
        "node state: {nodes}"
    );

    write(
        d,
        "base.toml",
        &small_with("size = 300", "size = 200").replacen("days = 20", "days = 15", 1),
    );
    let sweep = write(
        d,
        "sweep.toml",
        "base = \"base.toml\"\nruns = 2\nseed = 5\ndesign = \"grid\"\n\
         [[param]]\npath = \"content.quality\"\nvalues = [0.2, 0.5, 0.8]\n\
         [[param]]\npath = \"invite.rate\"\nvalues = [0.02, 0.1, 0.2]\n\
         [heatmap]\nx = \"content.quality\"\ny = \"invite.rate\"\nmetric = \"total_joined\"\n",
    );
    let out = commsim(&["sweep", "sweep.toml", "--out", "one", "-q"], d);
    check(&out, 0, &[]);

    let scripts = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/slurm");
    let shared = d.join("shared");
    let export = format!(
        "--export=ALL,COMMSIM_BIN={BIN},COMMSIM_SWEEP={},COMMSIM_OUT={}",
        sweep.display(),
        shared.display()
    );
    let chdir = format!("--chdir={}", d.display());
    let array = ok(
        &conf,
        "sbatch",
        &[
            "--parsable",
            "--array=0-3",
            "--cpus-per-task=1",
            &chdir,
            &export,
            scripts.join("sweep-array.sbatch").to_str().unwrap(),
        ],
        d,
    );
    let array = array.split(';').next().unwrap().to_string();
    let merge = ok(
        &conf,
        "sbatch",
        &[
            "--parsable",
            &format!("--dependency=afterok:{array}"),
            &chdir,
            &export,
            scripts.join("merge.sbatch").to_str().unwrap(),
        ],
        d,
    );
    let merge = merge.split(';').next().unwrap().to_string();

    // No accounting database here (sacct does not work): wait until squeue
    // no longer lists the jobs, then ask slurmctld how they ended.
    let jobs = format!("{array},{merge}");
    loop {
        let q = slurm(&conf, "squeue", &["-h", "-j", &jobs, "-o", "%i %T %r"], d);
        let listed = String::from_utf8_lossy(&q.stdout).trim().to_string();
        if listed.is_empty() {
            break;
        }
        assert!(
            !listed.contains("DependencyNeverSatisfied"),
            "an array task failed, so the merge job can never start:\n{listed}\n{}",
            job_logs(d)
        );
        assert!(
            started.elapsed() < Duration::from_secs(240),
            "jobs still queued after 4 minutes:\n{listed}\n{}",
            job_logs(d)
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    for job in [&array, &merge] {
        let info = ok(&conf, "scontrol", &["show", "job", job], d);
        let states: Vec<&str> = info
            .split_whitespace()
            .filter(|w| w.starts_with("JobState=") || w.starts_with("ExitCode="))
            .collect();
        let tasks = if job == &array { 4 } else { 1 };
        assert_eq!(
            states
                .iter()
                .filter(|s| **s == "JobState=COMPLETED")
                .count(),
            tasks,
            "job {job}: {states:?}\n{}",
            job_logs(d)
        );
        assert!(
            states
                .iter()
                .filter(|s| s.starts_with("ExitCode="))
                .all(|s| *s == "ExitCode=0:0"),
            "job {job}: {states:?}\n{}",
            job_logs(d)
        );
    }

    // Four shard manifests, then byte-identical results.
    for i in 0..4 {
        let m = shared.join(format!("shards/shard-{i}-of-4.json"));
        assert!(m.is_file(), "{} missing\n{}", m.display(), job_logs(d));
    }
    let finals = |dir: &Path| {
        let mut files = read_results(dir);
        files.retain(|k, _| !k.starts_with("shards/"));
        files
    };
    let (one, merged) = (finals(&d.join("one")), finals(&shared));
    assert_eq!(
        one.keys().collect::<Vec<_>>(),
        merged.keys().collect::<Vec<_>>(),
        "{}",
        job_logs(d)
    );
    for (name, bytes) in &one {
        assert!(bytes == &merged[name], "{name} differs\n{}", job_logs(d));
    }
    note(&format!(
        "slurm: 4-task array and merge job matched one process in {:.1} s",
        started.elapsed().as_secs_f64()
    ));
}
