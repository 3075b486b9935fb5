//! `ogmill healthcheck`: asks a running server's `/healthz` and exits 0 if it answers 200.
//! Container images built `FROM scratch` or on distroless have no curl or wget for their
//! `HEALTHCHECK`, and an HTTP client would be a lot to load every few seconds; a plain HTTP/1.1
//! request over a socket is all this needs.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::Duration;

use anyhow::{bail, Context};
use ogmill::config::Config;

const TIMEOUT: Duration = Duration::from_secs(3);

pub(crate) fn run(config: &Config, url: Option<&str>) -> anyhow::Result<()> {
    let (addr, host, path) = match url {
        Some(url) => parse(url)?,
        None => {
            let mut bind = config.server_options().bind;
            if bind.ip().is_unspecified() {
                bind.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
            }
            (bind, bind.to_string(), "/healthz".to_string())
        }
    };
    let status = ask(addr, &host, &path).with_context(|| format!("http://{host}{path}"))?;
    if status != 200 {
        bail!("http://{host}{path} answered {status}");
    }
    Ok(())
}

/// `http://host:port/path` into an address to connect to, the Host header and the path.
fn parse(url: &str) -> anyhow::Result<(SocketAddr, String, String)> {
    let rest = url
        .strip_prefix("http://")
        .context("--url must start with http:// (the check does not speak TLS)")?;
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let with_port = if host
        .rsplit_once(':')
        .is_some_and(|(_, p)| p.parse::<u16>().is_ok())
    {
        host.to_string()
    } else {
        format!("{host}:80")
    };
    let addr = with_port
        .to_socket_addrs()
        .with_context(|| format!("cannot resolve {host}"))?
        .next()
        .with_context(|| format!("{host} has no address"))?;
    Ok((addr, host.to_string(), format!("/{path}")))
}

/// The status code of `GET path`.
fn ask(addr: SocketAddr, host: &str, path: &str) -> anyhow::Result<u16> {
    let mut conn = TcpStream::connect_timeout(&addr, TIMEOUT)?;
    conn.set_read_timeout(Some(TIMEOUT))?;
    conn.set_write_timeout(Some(TIMEOUT))?;
    write!(
        conn,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )?;
    let mut head = [0u8; 64];
    let mut got = 0;
    while got < 12 {
        let n = conn.read(&mut head[got..])?;
        if n == 0 {
            break;
        }
        got += n;
    }
    let line = String::from_utf8_lossy(&head[..got]);
    line.strip_prefix("HTTP/1.1 ")
        .or_else(|| line.strip_prefix("HTTP/1.0 "))
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse().ok())
        .with_context(|| format!("not an HTTP answer: {line:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_become_an_address_a_host_and_a_path() {
        let (addr, host, path) = parse("http://127.0.0.1:3000/readyz").unwrap();
        assert_eq!(
            (addr.port(), host.as_str(), path.as_str()),
            (3000, "127.0.0.1:3000", "/readyz")
        );
        let (addr, _, path) = parse("http://127.0.0.1").unwrap();
        assert_eq!((addr.port(), path.as_str()), (80, "/"));
        assert!(parse("https://127.0.0.1/healthz").is_err());
    }
}
