//! Signed URLs: an HMAC-SHA256 over the template name and the URL's params, so a public
//! endpoint renders only the cards its site asked for.
//!
//! The signed message is built so that no two different requests share it: a version tag,
//! then the template name and every `name`/`value` pair (`exp` included, `sig` excluded),
//! sorted by name then value as UTF-8 bytes, each written as `<byte length>:<bytes>`:
//!
//! ```text
//! ogmill-v1 \n 4:blog \n 6:author 8:Jane Doe \n 3:exp 10:1767225600 \n 5:title 5:Hello \n
//! ```
//!
//! (without the spaces). Length prefixes matter: with plain `name=value` lines, a value
//! holding a newline could pass as two params. The signature is that HMAC in URL-safe
//! base64 without padding. `examples/nextjs/lib/ogmill.ts` computes the same in TypeScript.

use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The query param holding the signature.
pub const SIG: &str = "sig";
/// The query param holding the expiry, in unix seconds; optional and signed like any param.
pub const EXP: &str = "exp";

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Why a signed request was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The URL has no `sig` and one is required.
    #[error("this server renders only signed URLs: add a 'sig' param (see `ogmill sign`)")]
    Missing,
    /// `sig` is not a signature's shape.
    #[error("'sig' is not a signature: expected 43 characters of URL-safe base64")]
    Malformed,
    /// `sig` does not verify with any key.
    #[error("the signature does not match: a value was changed, a param added or removed, or it was signed with another key")]
    Mismatch,
    /// `exp` is not unix seconds.
    #[error("'exp' must be a time in unix seconds, not '{0}'")]
    BadExpiry(String),
    /// `exp` is in the past.
    #[error("the URL expired at {0} (unix seconds)")]
    Expired(u64),
}

/// The keys a server signs with (the first) and accepts (any: rotation adds the new key
/// first and keeps the old one until the URLs signed with it are gone).
#[derive(Clone)]
pub struct Signer {
    keys: Vec<Hmac<Sha256>>,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Signer({} key(s))", self.keys.len())
    }
}

impl Signer {
    /// `None` when there are no keys: nothing to sign with.
    pub fn new<K: AsRef<[u8]>>(keys: &[K]) -> Option<Self> {
        let keys: Vec<_> = keys
            .iter()
            .map(|k| Hmac::<Sha256>::new_from_slice(k.as_ref()).expect("HMAC takes any key length"))
            .collect();
        (!keys.is_empty()).then_some(Signer { keys })
    }

    /// The `sig` value for these params (which may include `exp`, never `sig`).
    pub fn sign(&self, template: &str, params: &[(String, String)]) -> String {
        let mut mac = self.keys[0].clone();
        mac.update(&message(template, params));
        B64.encode(mac.finalize().into_bytes())
    }

    /// Checks `sig` against every key in constant time, then `exp` against `now` (unix
    /// seconds). `params` are the request's params without `sig`.
    pub fn verify(
        &self,
        template: &str,
        params: &[(String, String)],
        sig: &str,
        now: u64,
    ) -> Result<(), SignatureError> {
        let mut given = [0u8; 32];
        match B64.decode_slice(sig.as_bytes(), &mut given) {
            Ok(32) => {}
            _ => return Err(SignatureError::Malformed),
        }
        let msg = message(template, params);
        // `verify_slice` compares in constant time; try every key so timing does not tell
        // which one matched.
        let matched = self.keys.iter().fold(false, |ok, key| {
            let mut mac = key.clone();
            mac.update(&msg);
            mac.verify_slice(&given).is_ok() | ok
        });
        if !matched {
            return Err(SignatureError::Mismatch);
        }
        match params.iter().find(|(k, _)| k == EXP) {
            None => Ok(()),
            Some((_, v)) => {
                let at: u64 = v
                    .parse()
                    .map_err(|_| SignatureError::BadExpiry(v.chars().take(32).collect()))?;
                if now > at {
                    Err(SignatureError::Expired(at))
                } else {
                    Ok(())
                }
            }
        }
    }

    /// A query string (`a=1&b=2&sig=...`), percent-encoded, with `exp` added when given.
    pub fn signed_query(
        &self,
        template: &str,
        params: &[(String, String)],
        exp: Option<u64>,
    ) -> String {
        let mut params = params.to_vec();
        if let Some(exp) = exp {
            params.push((EXP.to_owned(), exp.to_string()));
        }
        let sig = self.sign(template, &params);
        params.push((SIG.to_owned(), sig));
        params
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join("&")
    }
}

/// Seconds since the unix epoch, for [`Signer::verify`].
pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The bytes the HMAC covers; see the module docs.
pub fn message(template: &str, params: &[(String, String)]) -> Vec<u8> {
    let mut sorted: Vec<_> = params.iter().collect();
    sorted.sort_by(|a, b| (a.0.as_bytes(), a.1.as_bytes()).cmp(&(b.0.as_bytes(), b.1.as_bytes())));
    let mut out = b"ogmill-v1\n".to_vec();
    push(&mut out, template);
    out.push(b'\n');
    for (k, v) in sorted {
        push(&mut out, k);
        push(&mut out, v);
        out.push(b'\n');
    }
    out
}

fn push(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(s.len().to_string().as_bytes());
    out.push(b':');
    out.extend_from_slice(s.as_bytes());
}

/// Percent-encodes all but RFC 3986's unreserved characters, as `encodeURIComponent` does
/// minus its few extras, so the URL survives any client.
pub fn encode(s: &str) -> String {
    use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
    const SET: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    utf8_percent_encode(s, SET).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_message_is_length_prefixed_and_sorted() {
        let m = message("blog", &p(&[("title", "Hello"), ("author", "Jane Doe")]));
        assert_eq!(
            m,
            b"ogmill-v1\n4:blog\n6:author8:Jane Doe\n5:title5:Hello\n"
        );
        // One value holding a newline is not two params.
        let one = message("t", &p(&[("a", "x\n1:b1:y")]));
        let two = message("t", &p(&[("a", "x"), ("b", "y")]));
        assert_ne!(one, two);
    }

    #[test]
    fn order_does_not_matter_but_every_byte_does() {
        let s = Signer::new(&["k"]).unwrap();
        let sig = s.sign("blog", &p(&[("a", "1"), ("b", "2")]));
        assert_eq!(sig.len(), 43);
        assert!(s
            .verify("blog", &p(&[("b", "2"), ("a", "1")]), &sig, 0)
            .is_ok());
        for (t, params) in [
            ("blog", p(&[("a", "1"), ("b", "3")])),
            ("blog", p(&[("a", "1")])),
            ("blog", p(&[("a", "1"), ("b", "2"), ("c", "")])),
            ("default", p(&[("a", "1"), ("b", "2")])),
        ] {
            assert_eq!(
                s.verify(t, &params, &sig, 0),
                Err(SignatureError::Mismatch),
                "{t} {params:?}"
            );
        }
    }

    #[test]
    fn rotation_signs_with_the_first_key_and_accepts_any() {
        let old = Signer::new(&["old"]).unwrap();
        let both = Signer::new(&["new", "old"]).unwrap();
        let params = p(&[("title", "x")]);
        let by_old = old.sign("t", &params);
        assert!(both.verify("t", &params, &by_old, 0).is_ok());
        assert_ne!(both.sign("t", &params), by_old);
        let by_new = both.sign("t", &params);
        assert_eq!(
            old.verify("t", &params, &by_new, 0),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn expiry_and_malformed_signatures() {
        let s = Signer::new(&["k"]).unwrap();
        let params = p(&[("title", "x"), ("exp", "100")]);
        let sig = s.sign("t", &params);
        assert!(s.verify("t", &params, &sig, 100).is_ok());
        assert_eq!(
            s.verify("t", &params, &sig, 101),
            Err(SignatureError::Expired(100))
        );
        let bad = p(&[("exp", "soon")]);
        let sig = s.sign("t", &bad);
        assert!(matches!(
            s.verify("t", &bad, &sig, 0),
            Err(SignatureError::BadExpiry(_))
        ));
        for sig in ["", "abc", "!!!!", &"A".repeat(44), &"A".repeat(200)] {
            assert_eq!(
                s.verify("t", &params, sig, 0),
                Err(SignatureError::Malformed),
                "{sig}"
            );
        }
    }

    #[test]
    fn signed_query_round_trips() {
        let s = Signer::new(&["k"]).unwrap();
        let q = s.signed_query("blog", &p(&[("title", "a&b=c ü")]), Some(5));
        assert!(q.starts_with("title=a%26b%3Dc%20%C3%BC&exp=5&sig="), "{q}");
        let sig = q.rsplit_once("sig=").unwrap().1;
        let params = p(&[("title", "a&b=c ü"), ("exp", "5")]);
        assert!(s.verify("blog", &params, sig, 5).is_ok());
    }
}
