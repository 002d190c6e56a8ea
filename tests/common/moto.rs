//! A moto server on 127.0.0.1 for the EC2 refresh tests: `.venv-moto/bin/moto_server` (installed by
//! `scripts/setup-test-tools.sh`) started on a free port with an AMI fixture, killed on drop.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn moto_bin() -> PathBuf {
    repo().join(".venv-moto").join("bin").join("moto_server")
}

/// `tests/fixtures/moto/NAME`.
pub fn fixture(name: &str) -> PathBuf {
    repo().join("tests").join("fixtures").join("moto").join(name)
}

/// A running moto server; the process is killed when this is dropped.
pub struct MotoServer {
    child: Child,
    pub port: u16,
    /// Holds moto's log until the server is dropped.
    _log_dir: tempfile::TempDir,
    log: PathBuf,
}

impl MotoServer {
    /// Start moto with `MOTO_AMIS_PATH` set to `amis` (a JSON list of AMIs, moto's format).
    ///
    /// When moto is not installed: panics if `CI` is set (the suite must not silently skip there),
    /// otherwise prints a note and returns `None` (the caller returns early).
    pub fn start(amis: &Path) -> Option<MotoServer> {
        let bin = moto_bin();
        if !bin.exists() {
            let msg = format!("{} is missing: run scripts/setup-test-tools.sh to install moto", bin.display());
            if std::env::var_os("CI").is_some() {
                panic!("{msg}");
            }
            eprintln!("note: skipping a moto test: {msg}");
            return None;
        }
        let log_dir = tempfile::tempdir().expect("temp dir for the moto log");
        let log = log_dir.path().join("moto.log");
        // A free port can be taken by another process between the probe and moto's bind: try again.
        for _ in 0..5 {
            let port = free_port();
            let log_file = std::fs::File::create(&log).expect("create the moto log");
            let mut child = Command::new(&bin)
                .args(["-H", "127.0.0.1", "-p", &port.to_string()])
                .env("MOTO_AMIS_PATH", amis)
                .stdin(Stdio::null())
                .stdout(log_file.try_clone().expect("clone the log handle"))
                .stderr(log_file)
                .spawn()
                .unwrap_or_else(|e| panic!("start {}: {e}", bin.display()));
            match wait_ready(&mut child, port, Duration::from_secs(60)) {
                Ready::Yes => return Some(MotoServer { child, port, _log_dir: log_dir, log }),
                Ready::Exited => {
                    let text = std::fs::read_to_string(&log).unwrap_or_default();
                    if !text.contains("Address already in use") {
                        panic!("moto_server exited before answering on port {port}:\n{text}");
                    }
                }
                Ready::TimedOut => {
                    let _ = child.kill();
                    let _ = child.wait();
                    let text = std::fs::read_to_string(&log).unwrap_or_default();
                    panic!("moto_server did not answer on port {port} within 60 s:\n{text}");
                }
            }
        }
        panic!("moto_server found no free port in 5 tries:\n{}", std::fs::read_to_string(&log).unwrap_or_default());
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

enum Ready {
    Yes,
    Exited,
    TimedOut,
}

/// Wait until moto answers an HTTP request on `port`.
fn wait_ready(child: &mut Child, port: u16, timeout: Duration) -> Ready {
    let start = Instant::now();
    while start.elapsed() < timeout {
        if let Ok(Some(_)) = child.try_wait() {
            return Ready::Exited;
        }
        if http_answers(port) {
            return Ready::Yes;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ready::TimedOut
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local addr").port()
}

/// True when something on `port` answers an HTTP request (any status line will do).
fn http_answers(port: u16) -> bool {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else { return false };
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    if s.write_all(b"GET /moto-api/data.json HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").is_err() {
        return false;
    }
    let mut buf = [0u8; 12];
    matches!(s.read(&mut buf), Ok(n) if n >= 5 && buf.starts_with(b"HTTP/"))
}

/// A port on 127.0.0.1 where nothing listens (bound, then released).
pub fn closed_port() -> u16 {
    free_port()
}
