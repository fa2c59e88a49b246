//! HAProxy (Debian's package, `$KEPT_HAPROXY`) in front of several kept-server instances:
//! round robin, no sticky sessions, health checks on `/v1/shop`, a connection refused by a dead
//! instance retried on another. Stopped on drop.

use std::io::Write;
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::server::TestServer;

/// A running load balancer.
pub struct Proxy {
    /// `http://127.0.0.1:PORT`
    pub url: String,
    /// HAProxy's own status page (CSV).
    stats: String,
    child: Child,
    _dir: tempfile::TempDir,
}

/// The configuration for `servers` behind `port`: long timeouts for the event streams (the
/// server sends a keep-alive comment every 15 s), health checks every 300 ms.
pub fn config(port: u16, stats: u16, servers: &[&str]) -> String {
    let mut cfg = format!(
        "global\n    maxconn 8000\n\
         defaults\n    mode http\n    timeout connect 2s\n    timeout client 1h\n    timeout server 1h\n\
         \x20   timeout http-request 10s\n    retries 3\n    option redispatch\n\
         listen stats\n    bind 127.0.0.1:{stats}\n    stats enable\n    stats uri /stats\n\
         frontend kept\n    bind 127.0.0.1:{port}\n    default_backend instances\n\
         backend instances\n    balance roundrobin\n    option httpchk GET /v1/shop\n"
    );
    for (i, s) in servers.iter().enumerate() {
        cfg.push_str(&format!("    server k{i} {s} check inter 300ms fall 1 rise 2\n"));
    }
    cfg
}

impl Proxy {
    /// Starts HAProxy in front of `servers`.
    pub fn start(servers: &[&TestServer]) -> Proxy {
        let haproxy = std::env::var("KEPT_HAPROXY")
            .expect("KEPT_HAPROXY is not set: run the end-to-end tests through `cargo xtask test`");
        let dir = tempfile::tempdir().expect("a temporary folder");
        let free = || TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
        let (port, stats) = (free(), free());
        let addrs: Vec<&str> = servers.iter().map(|s| s.addr()).collect();
        let path = dir.path().join("haproxy.cfg");
        std::fs::File::create(&path)
            .and_then(|mut f| f.write_all(config(port, stats, &addrs).as_bytes()))
            .expect("the configuration is written");
        let child = Command::new(haproxy)
            .arg("-db")
            .arg("-f")
            .arg(&path)
            .stdout(Stdio::null())
            .spawn()
            .expect("haproxy starts");
        let proxy = Proxy {
            url: format!("http://127.0.0.1:{port}"),
            stats: format!("http://127.0.0.1:{stats}/stats;csv"),
            child,
            _dir: dir,
        };
        let agent = crate::agent(Duration::from_secs(2));
        crate::wait_for("haproxy to answer", Duration::from_secs(20), || {
            agent.get(&format!("{}/v1/shop", proxy.url)).call().ok().filter(|r| r.status().as_u16() == 200)
        });
        proxy
    }
}

impl Proxy {
    /// Whether HAProxy counts instance `i` (in the order given to [`Proxy::start`]) as up.
    pub fn is_up(&self, i: usize) -> bool {
        let Ok(mut res) = crate::agent(Duration::from_secs(2)).get(&self.stats).call() else { return false };
        let csv = res.body_mut().read_to_string().unwrap_or_default();
        let name = format!("k{i}");
        // pxname,svname,...,status (the 18th column)
        csv.lines().any(|l| {
            let cols: Vec<&str> = l.split(',').collect();
            cols.len() > 17 && cols[0] == "instances" && cols[1] == name && cols[17] == "UP"
        })
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
