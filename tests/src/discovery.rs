//! What discovery tests look things up in: a real authoritative DNS server (NSD, Debian's
//! `nsd`) serving the test zones on a loopback port, and a real HTTPS server (nginx, Debian's
//! `nginx`) on port 443 of its own loopback address, serving autoconfig documents.

use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener};
use std::path::Path;
use std::process::{Child, Command};

use crate::certs::Certs;
use crate::mail::spawn;
use crate::net::{free_port, wait_for};

const NSD: &str = "/usr/sbin/nsd";
const NGINX: &str = "/usr/sbin/nginx";
const INSTALL: &str = "apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nsd nginx-light";

fn require(binary: &str) {
    assert!(
        Path::new(binary).exists(),
        "{binary} is missing. Install it with:\n  {INSTALL}"
    );
}

/// A server process that is ended with its test.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        unsafe {
            libc::kill(-(self.0.id() as i32), libc::SIGTERM);
        }
        let _ = self.0.wait();
    }
}

/// NSD, authoritative for the zones it was given.
pub struct DnsServer {
    pub addr: SocketAddr,
    _process: Process,
    _dir: tempfile::TempDir,
}

impl DnsServer {
    /// Serves `zones`: (origin, records in master-file syntax, relative to the origin). An SOA
    /// and an NS record are added to each.
    pub fn start(zones: &[(&str, &str)]) -> DnsServer {
        require(NSD);
        let dir = tempfile::Builder::new()
            .prefix("inbox-doctor-dns-")
            .tempdir()
            .expect("tempdir");
        let d = dir.path().display();
        let addr = SocketAddr::from(([127, 0, 0, 1], free_port()));
        let mut conf = format!(
            "server:\n  ip-address: {ip}@{port}\n  port: {port}\n  username: \"\"\n  chroot: \"\"\n  \
             zonesdir: \"{d}\"\n  pidfile: \"{d}/nsd.pid\"\n  database: \"\"\n  \
             zonelistfile: \"{d}/zone.list\"\n  xfrdfile: \"{d}/xfrd.state\"\n  xfrdir: \"{d}\"\n  \
             logfile: \"{d}/nsd.log\"\n  server-count: 1\n  hide-version: yes\n\
             remote-control:\n  control-enable: no\n",
            ip = addr.ip(),
            port = addr.port()
        );
        for (origin, records) in zones {
            let file = format!("{origin}.zone");
            conf.push_str(&format!(
                "zone:\n  name: \"{origin}\"\n  zonefile: \"{file}\"\n"
            ));
            let zone = format!(
                "$ORIGIN {origin}.\n$TTL 60\n@ IN SOA ns.{origin}. admin.{origin}. 1 3600 600 86400 60\n\
                 @ IN NS ns.{origin}.\nns IN A 127.0.0.1\n{records}\n"
            );
            std::fs::write(dir.path().join(file), zone).expect("write zone");
        }
        let conf_path = dir.path().join("nsd.conf");
        std::fs::write(&conf_path, conf).expect("write nsd.conf");
        let mut cmd = Command::new(NSD);
        cmd.arg("-d").arg("-c").arg(&conf_path);
        let process = Process(spawn(cmd, "nsd"));
        wait_for(addr, "nsd", &dir.path().join("nsd.log"));
        DnsServer {
            addr,
            _process: process,
            _dir: dir,
        }
    }

    /// `--resolver` for this server.
    pub fn resolver_arg(&self) -> String {
        self.addr.to_string()
    }
}

/// A loopback address whose port 443 is free (each HTTPS server needs its own, since
/// autoconfig lives on the standard port).
pub fn free_https_ip() -> Ipv4Addr {
    let pid = std::process::id();
    for i in 0..5000u32 {
        let n = pid.wrapping_mul(7).wrapping_add(i);
        let ip = Ipv4Addr::new(
            127,
            80 + (n / 62_500 % 100) as u8,
            (n / 250 % 250) as u8,
            (n % 250 + 1) as u8,
        );
        if TcpListener::bind((ip, 443)).is_ok() {
            return ip;
        }
    }
    panic!("no loopback address with a free port 443");
}

/// One answer nginx gives.
pub enum Reply<'a> {
    /// A file with this content.
    File(&'a [u8]),
    /// A file sent at this many bytes per second.
    Slow(&'a [u8], u32),
    /// A redirect to this URL.
    Redirect(&'a str),
}

/// nginx serving HTTPS on `ip`:443 with the harness's certificate.
pub struct WebServer {
    pub ip: IpAddr,
    _process: Process,
    _dir: tempfile::TempDir,
}

impl WebServer {
    /// Serves `routes`: (host, path, reply). Anything else is a 404.
    pub fn start(certs: &Certs, routes: &[(&str, &str, Reply<'_>)]) -> WebServer {
        require(NGINX);
        let ip = IpAddr::V4(free_https_ip());
        let dir = tempfile::Builder::new()
            .prefix("inbox-doctor-web-")
            .tempdir()
            .expect("tempdir");
        let d = dir.path().display();
        let mut hosts: Vec<&str> = routes.iter().map(|(h, _, _)| *h).collect();
        hosts.sort();
        hosts.dedup();
        let mut servers = String::new();
        for (n, host) in hosts.iter().enumerate() {
            let root = dir.path().join(format!("site{n}"));
            let mut locations = String::new();
            for (_, path, reply) in routes.iter().filter(|(h, _, _)| h == host) {
                match reply {
                    Reply::File(body) | Reply::Slow(body, _) => {
                        let file = root.join(path.trim_start_matches('/'));
                        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
                        std::fs::write(&file, body).unwrap();
                        if let Reply::Slow(_, rate) = reply {
                            locations.push_str(&format!(
                                "    location = {path} {{ limit_rate {rate}; limit_rate_after 0; }}\n"
                            ));
                        }
                    }
                    Reply::Redirect(to) => locations
                        .push_str(&format!("    location = {path} {{ return 302 {to}; }}\n")),
                }
            }
            std::fs::create_dir_all(&root).unwrap();
            servers.push_str(&format!(
                "  server {{\n    listen {ip}:443 ssl;\n    server_name {host};\n    \
                 ssl_certificate {cert};\n    ssl_certificate_key {key};\n    root {root};\n{locations}  }}\n",
                cert = certs.good.0.display(),
                key = certs.good.1.display(),
                root = root.display(),
            ));
        }
        let conf = format!(
            "daemon off;\nmaster_process off;\npid {d}/nginx.pid;\nerror_log {d}/error.log;\n\
             events {{ worker_connections 64; }}\n\
             http {{\n  access_log off;\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n  \
             fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n  \
             default_type application/xml;\n  sendfile off;\n{servers}}}\n"
        );
        let conf_path = dir.path().join("nginx.conf");
        std::fs::write(&conf_path, conf).expect("write nginx.conf");
        let mut cmd = Command::new(NGINX);
        cmd.arg("-c").arg(&conf_path).arg("-p").arg(dir.path());
        let process = Process(spawn(cmd, "nginx"));
        wait_for(
            SocketAddr::new(ip, 443),
            "nginx",
            &dir.path().join("error.log"),
        );
        WebServer {
            ip,
            _process: process,
            _dir: dir,
        }
    }
}
