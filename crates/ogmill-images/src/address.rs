//! Which addresses an image may be fetched from: public unicast only. Everything a request
//! could use to reach the machine, its network or a cloud's metadata service is refused,
//! including IPv4 hidden inside IPv6 forms.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// True for an address on the public internet.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

/// Why an address is not public, for messages; `None` when it is.
pub fn refusal(ip: IpAddr) -> Option<String> {
    (!is_public(ip)).then(|| format!("{ip} is not a public address"))
}

/// True for this machine's own addresses: 127/8, `::1`, and 127/8 inside `::ffff:0:0/96`.
/// Only the dev playground's page checker lets these through.
pub fn is_loopback(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    let blocked = a == 0                              // "this network", 0.0.0.0
        || a == 10                                    // private
        || a == 127                                   // loopback
        || (a == 100 && (64..128).contains(&b))       // CGNAT 100.64/10
        || (a == 169 && b == 254)                     // link-local, cloud metadata
        || (a == 172 && (16..32).contains(&b))        // private
        || (a == 192 && b == 0 && c == 0)             // IETF protocol assignments
        || (a == 192 && b == 0 && c == 2)             // documentation
        || (a == 192 && b == 88 && c == 99)           // 6to4 relay anycast
        || (a == 192 && b == 168)                     // private
        || (a == 198 && (18..20).contains(&b))        // benchmarking 198.18/15
        || (a == 198 && b == 51 && c == 100)          // documentation
        || (a == 203 && b == 0 && c == 113)           // documentation
        || a >= 224; // multicast 224/4, reserved 240/4, broadcast
    !blocked
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    if let Some(v4) = embedded_v4(ip) {
        return is_public_v4(v4);
    }
    let blocked = ip.is_unspecified()
        || ip.is_loopback()
        || (s[0] & 0xfe00) == 0xfc00               // unique local fc00::/7
        || (s[0] & 0xffc0) == 0xfe80               // link-local fe80::/10
        || (s[0] & 0xffc0) == 0xfec0               // site-local fec0::/10 (deprecated)
        || (s[0] & 0xff00) == 0xff00               // multicast
        || (s[0] == 0x2001 && s[1] == 0x0db8)      // documentation
        || (s[0] == 0x2001 && s[1] == 0)           // Teredo: tunnels to anywhere
        || (s[0] == 0x64 && s[1] == 0xff9b && s[2] == 1) // local-use NAT64 64:ff9b:1::/48
        || (s[0] == 0x100 && s[1..4] == [0, 0, 0]) // discard-only 100::/64
        || s[0] == 0; // the rest of ::/16 (IPv4-compatible and reserved)
    !blocked
}

/// The IPv4 address inside an IPv4-mapped (`::ffff:a.b.c.d`), NAT64 (`64:ff9b::a.b.c.d`)
/// or 6to4 (`2002:AABB:CCDD::`) address.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let from =
        |hi: u16, lo: u16| Ipv4Addr::new((hi >> 8) as u8, hi as u8, (lo >> 8) as u8, lo as u8);
    if s[..5] == [0, 0, 0, 0, 0] && s[5] == 0xffff {
        return Some(from(s[6], s[7]));
    }
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return Some(from(s[6], s[7]));
    }
    if s[0] == 0x2002 {
        return Some(from(s[1], s[2]));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_non_public_form_is_refused() {
        for ip in [
            "127.0.0.1",
            "127.255.0.9",
            "0.0.0.0",
            "0.1.2.3",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.127.255.255",
            "198.18.0.1",
            "198.19.255.255",
            "224.0.0.1",
            "239.255.255.250",
            "240.0.0.1",
            "255.255.255.255",
            "192.0.2.1",
            "192.0.0.170",
            "::",
            "::1",
            "fc00::1",
            "fd12::1",
            "fe80::1",
            "fec0::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::ffff:10.0.0.1",
            "64:ff9b::7f00:1",
            "64:ff9b::a9fe:a9fe",
            "64:ff9b:1::1",
            "2002:7f00:1::",
            "2002:c0a8:101::1",
            "2001::1",
            "2001:db8::1",
            "::127.0.0.1",
            "100::1",
        ] {
            let ip: IpAddr = ip.parse().unwrap();
            assert!(!is_public(ip), "{ip} must be refused");
        }
    }

    #[test]
    fn public_addresses_pass() {
        for ip in [
            "1.1.1.1",
            "8.8.8.8",
            "93.184.215.14",
            "100.63.255.255",
            "100.128.0.1",
            "172.15.0.1",
            "172.32.0.1",
            "198.17.0.1",
            "198.20.0.1",
            "2606:4700::1111",
            "2a00:1450:4001::200e",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
            "2002:808:808::",
        ] {
            let ip: IpAddr = ip.parse().unwrap();
            assert!(is_public(ip), "{ip} is public");
        }
    }
}
