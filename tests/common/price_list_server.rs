//! A loopback Price List API for the refresh tests: scripted HTTP replies in, recorded GetProducts requests out.
//!
//! A std `TcpListener` on 127.0.0.1:0 in a thread; each connection in its own thread, HTTP/1.1 with
//! keep-alive and `Content-Length` bodies (what the SDK's client sends). Every `POST` with
//! `X-Amz-Target: AWSPriceListService.GetProducts` takes the next [`Reply`] of the script, in arrival
//! order, and is recorded (headers and JSON body) so a test can assert the filters and `NextToken` sent.
//! Anything else, or a request after the script is used up, gets a 400 `InvalidParameterException`
//! (not retried by the SDK) naming what was wrong, so a test fails loudly instead of hanging.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

pub const TARGET: &str = "AWSPriceListService.GetProducts";

/// One scripted answer.
#[derive(Debug, Clone)]
pub enum Reply {
    /// `status` with a JSON body (`application/x-amz-json-1.1`), sent whole.
    Json { status: u16, body: String },
    /// Wait `delay`, then answer `then` (if the client is still there).
    Delay { delay: Duration, then: Box<Reply> },
}

impl Reply {
    /// 200 with a recorded response file of `tests/fixtures/price-list/`.
    pub fn fixture(name: &str) -> Reply {
        Reply::Json { status: 200, body: fixture(name) }
    }

    /// 200 with the first half of a recorded response: a JSON body cut off mid-way (with a matching
    /// Content-Length, so the HTTP exchange itself is complete).
    pub fn truncated(name: &str) -> Reply {
        let body = fixture(name);
        let cut: String = body.chars().take(body.chars().count() / 2).collect();
        Reply::Json { status: 200, body: cut }
    }

    /// HTTP 400 `ThrottlingException`, as the Price List API answers when its rate limit is hit.
    pub fn throttled() -> Reply {
        Reply::Json { status: 400, body: r#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#.to_owned() }
    }

    /// HTTP 500 `InternalErrorException`.
    pub fn internal_error() -> Reply {
        Reply::Json {
            status: 500,
            body: r#"{"__type":"InternalErrorException","message":"An internal error occurred"}"#.to_owned(),
        }
    }

    pub fn delayed(delay: Duration, then: Reply) -> Reply {
        Reply::Delay { delay, then: Box::new(then) }
    }
}

/// `tests/fixtures/price-list/<name>`.
pub fn fixture(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/price-list").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// One request the server received.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    /// Header names lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == &name.to_ascii_lowercase()).map(|(_, v)| v.as_str())
    }

    /// The JSON body (GetProducts input).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("request body is not JSON ({e}): {}", self.body))
    }

    /// The `Filters` sent, as `(Type, Field, Value)`.
    pub fn filters(&self) -> Vec<(String, String, String)> {
        let body = self.json();
        let Some(filters) = body["Filters"].as_array() else { return Vec::new() };
        filters
            .iter()
            .map(|f| {
                let s = |k: &str| f[k].as_str().unwrap_or_default().to_owned();
                (s("Type"), s("Field"), s("Value"))
            })
            .collect()
    }

    /// The value of the TERM_MATCH filter on `field`, if one was sent.
    pub fn filter(&self, field: &str) -> Option<String> {
        self.filters().into_iter().find(|(t, f, _)| t == "TERM_MATCH" && f == field).map(|(_, _, v)| v)
    }

    pub fn next_token(&self) -> Option<String> {
        self.json()["NextToken"].as_str().map(str::to_owned)
    }
}

/// Picks the reply from the request (for callers that send requests concurrently, in no fixed order).
pub type Router = Box<dyn Fn(&Request) -> Reply + Send + Sync>;

struct State {
    script: VecDeque<Reply>,
    router: Option<Router>,
    requests: Vec<Request>,
}

/// The running server. It lives until the test process ends.
pub struct Server {
    port: u16,
    state: Arc<Mutex<State>>,
}

impl Server {
    /// Starts a server answering the GetProducts requests with `script`, in order.
    pub fn start(script: Vec<Reply>) -> Server {
        Server::spawn(State { script: script.into(), router: None, requests: Vec::new() })
    }

    /// Starts a server answering every GetProducts request with `router(request)`.
    pub fn route(router: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Server {
        Server::spawn(State { script: VecDeque::new(), router: Some(Box::new(router)), requests: Vec::new() })
    }

    fn spawn(state: State) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let port = listener.local_addr().expect("local address").port();
        let state = Arc::new(Mutex::new(state));
        let shared = Arc::clone(&state);
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let state = Arc::clone(&shared);
                thread::spawn(move || serve(stream, &state));
            }
        });
        Server { port, state }
    }

    /// The endpoint URL to give the SDK (`http://127.0.0.1:PORT`).
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The requests received so far, in arrival order.
    pub fn requests(&self) -> Vec<Request> {
        self.state.lock().expect("server state").requests.clone()
    }

    /// Scripted replies not yet used.
    pub fn unused(&self) -> usize {
        self.state.lock().expect("server state").script.len()
    }
}

fn serve(stream: TcpStream, state: &Mutex<State>) {
    let Ok(write_half) = stream.try_clone() else { return };
    let mut out = write_half;
    let mut reader = BufReader::new(stream);
    // Keep-alive: answer requests on this connection until the client closes it.
    while let Some(request) = read_request(&mut reader) {
        let reply = if request.method == "POST" && request.header("x-amz-target") == Some(TARGET) {
            let mut s = state.lock().expect("server state");
            let routed = s.router.as_ref().map(|r| r(&request));
            s.requests.push(request);
            match routed {
                Some(reply) => reply,
                None => s.script.pop_front().unwrap_or_else(|| bad_request("no scripted reply left for this request")),
            }
        } else {
            bad_request(&format!(
                "not a GetProducts call: {} {} target {:?}",
                request.method,
                request.path,
                request.header("x-amz-target")
            ))
        };
        if send(&mut out, reply).is_err() {
            return;
        }
    }
}

pub fn bad_request(message: &str) -> Reply {
    Reply::Json {
        status: 400,
        body: serde_json::json!({"__type": "InvalidParameterException", "message": message}).to_string(),
    }
}

fn send(out: &mut TcpStream, reply: Reply) -> std::io::Result<()> {
    match reply {
        Reply::Delay { delay, then } => {
            thread::sleep(delay);
            send(out, *then)
        }
        Reply::Json { status, body } => {
            let reason = match status {
                200 => "OK",
                400 => "Bad Request",
                500 => "Internal Server Error",
                _ => "Status",
            };
            let head = format!(
                "HTTP/1.1 {status} {reason}\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: {}\r\n\
                 x-amzn-RequestId: 00000000-0000-4000-8000-000000000000\r\n\r\n",
                body.len()
            );
            out.write_all(head.as_bytes())?;
            out.write_all(body.as_bytes())?;
            out.flush()
        }
    }
}

/// Reads one request (request line, headers, `Content-Length` body); `None` when the connection ends.
fn read_request(reader: &mut BufReader<TcpStream>) -> Option<Request> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_owned();
    let path = parts.next()?.to_owned();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).ok()? == 0 {
            return None;
        }
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((name, value)) = h.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    let length: usize =
        headers.iter().find(|(n, _)| n == "content-length").and_then(|(_, v)| v.parse().ok()).unwrap_or(0);
    let mut body = vec![0u8; length];
    reader.read_exact(&mut body).ok()?;
    Some(Request { method, path, headers, body: String::from_utf8_lossy(&body).into_owned() })
}
