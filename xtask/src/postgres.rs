//! A throwaway PostgreSQL cluster under `target/` (initdb + pg_ctl on a free loopback port), and
//! HAProxy for the several-instance tests; both from Debian's packages. The cluster stops and
//! its folder goes when the [`Cluster`] is dropped, so a failed run leaves nothing behind.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::run;

/// Debian's packages that bring the server and the load balancer.
const PACKAGES: [&str; 2] = ["postgresql", "haproxy"];
pub const HAPROXY: &str = "/usr/sbin/haproxy";

/// Installs PostgreSQL and HAProxy when missing (as root; otherwise says how).
pub fn install() -> Result<(), String> {
    if bin_dir().is_some() && Path::new(HAPROXY).exists() {
        return Ok(());
    }
    let install = format!("apt-get update && apt-get install -y {}", PACKAGES.join(" "));
    if !is_root() {
        return Err(format!("PostgreSQL or HAProxy is missing; as root, run: {install}"));
    }
    run::status(Command::new("apt-get").arg("update"))?;
    run::status(Command::new("apt-get").args(["install", "-y"]).args(PACKAGES))
}

fn is_root() -> bool {
    run::output(Command::new("id").arg("-u")).as_deref() == Some("0")
}

/// The newest installed server's bin folder (`/usr/lib/postgresql/N/bin`).
fn bin_dir() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| Some((e.file_name().to_str()?.parse().ok()?, e.path().join("bin"))))
        .filter(|(_, bin): &(u32, PathBuf)| bin.join("initdb").exists())
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

/// A free loopback port (free when asked; the caller binds it soon after).
pub fn free_port() -> Result<u16, String> {
    let l = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    l.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

/// How the cluster is tuned: tests do not need a durable disk (they kill kept-server, never
/// PostgreSQL), the demo and the benchmarks keep PostgreSQL's defaults.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    ForTests,
    Default,
}

/// A running cluster; stopped and removed when dropped.
pub struct Cluster {
    dir: PathBuf,
    bin: PathBuf,
    /// `postgres://kept@127.0.0.1:PORT` (add `/DB`).
    pub url: String,
}

impl Cluster {
    /// initdb in `target/<name>` and start it on a free loopback port.
    pub fn start(root: &Path, name: &str, durability: Durability) -> Result<Cluster, String> {
        install()?;
        let bin = bin_dir().ok_or("PostgreSQL is not installed")?;
        let dir = cluster_dir(root, name);
        if dir.exists() {
            // A run that was killed left it: stop what may still run there, then start afresh.
            let _ = as_owner(Command::new(bin.join("pg_ctl")).arg("-D").arg(dir.join("data")).args([
                "-m",
                "immediate",
                "stop",
            ]))
            .output();
            std::fs::remove_dir_all(&dir).map_err(|e| format!("removing {}: {e}", dir.display()))?;
        }
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        if is_root() {
            // The server refuses to run as root; Debian's package made the postgres user.
            run::status(Command::new("chown").args(["-R", "postgres:postgres"]).arg(&dir))?;
        }
        let port = free_port()?;
        let cluster = Cluster { dir: dir.clone(), bin: bin.clone(), url: format!("postgres://kept@127.0.0.1:{port}") };
        let data = dir.join("data");
        let quiet = |c: &mut Command| {
            c.stdout(std::process::Stdio::null());
        };
        let mut initdb = as_owner(&Command::new(bin.join("initdb")));
        initdb.arg("-D").arg(&data).args(["-U", "kept", "--auth=trust", "-E", "UTF8", "--no-instructions"]);
        quiet(&mut initdb);
        run::status(&mut initdb)?;
        let mut options = format!(
            "-c listen_addresses=127.0.0.1 -p {port} -k {} -c max_connections=300 -c shared_buffers=256MB",
            dir.display()
        );
        if durability == Durability::ForTests {
            options.push_str(" -c fsync=off -c synchronous_commit=off -c full_page_writes=off");
        } else {
            // The benchmark counts the statements an agreement costs.
            options.push_str(" -c shared_preload_libraries=pg_stat_statements");
        }
        let mut start = as_owner(&Command::new(bin.join("pg_ctl")));
        start.arg("-D").arg(&data).arg("-l").arg(dir.join("log")).args(["-o", &options, "-w", "-t", "60", "start"]);
        quiet(&mut start);
        run::status(&mut start)?;
        eprintln!("PostgreSQL is running at {}", cluster.url);
        Ok(cluster)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let mut stop = as_owner(&Command::new(self.bin.join("pg_ctl")));
        stop.arg("-D").arg(self.dir.join("data")).args(["-m", "fast", "-w", "stop"]);
        let _ = stop.output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// `target/<name>`, or, when the postgres user (the server's, as root) cannot reach it (a
/// checkout under a private home folder), a folder of this run under the system's temporary one.
fn cluster_dir(root: &Path, name: &str) -> PathBuf {
    let wanted = root.join("target").join(name);
    if !is_root() {
        return wanted;
    }
    let target = root.join("target");
    let _ = std::fs::create_dir_all(&target);
    let reachable = Command::new("runuser")
        .args(["-u", "postgres", "--", "test", "-x"])
        .arg(&target)
        .status()
        .is_ok_and(|s| s.success());
    if reachable {
        return wanted;
    }
    let fallback = Path::new("/tmp").join(format!("kept-{name}-{}", std::process::id()));
    eprintln!("the postgres user cannot reach {}; the cluster goes in {}", target.display(), fallback.display());
    fallback
}

/// `cmd` as the postgres user when this is root (the server will not run as root).
fn as_owner(cmd: &Command) -> Command {
    if !is_root() {
        let mut c = Command::new(cmd.get_program());
        c.args(cmd.get_args());
        return c;
    }
    let mut c = Command::new("runuser");
    c.args(["-u", "postgres", "--"]).arg(cmd.get_program()).args(cmd.get_args());
    c
}
