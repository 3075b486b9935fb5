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

/// The fewest bytes a signing key may have. An HMAC key is only as strong as it is hard to
/// guess: an empty key (an unset shell variable) lets anyone sign, and a short word falls to
/// a dictionary. 16 bytes of randomness are out of reach; `ogmill sign --new-key` prints 32.
pub const MIN_KEY_BYTES: usize = 16;

/// Why a set of signing keys cannot be used. Every way a key enters (flag, variable, TOML,
/// [`Signer::new`]) refuses it with this, before anything is signed or served.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// No key at all.
    #[error("no signing key was given: make one with `ogmill sign --new-key` and pass it as --signing-key KEY or OGMILL_SIGNING_KEYS")]
    NoKey,
    /// A key is empty, most often an unset variable (`--signing-key "$KEY"`) or a trailing
    /// comma in a list.
    #[error("signing key {position} of {count} is empty (an unset variable, or a stray comma in a list?): anyone could sign URLs with it. Make a key with `ogmill sign --new-key`")]
    Empty {
        /// 1-based position in the list.
        position: usize,
        /// How many keys were given.
        count: usize,
    },
    /// A key is shorter than [`MIN_KEY_BYTES`].
    #[error("signing key {position} of {count} has {len} bytes; a key needs at least {MIN_KEY_BYTES} so it cannot be guessed. Make one with `ogmill sign --new-key`")]
    TooShort {
        /// 1-based position in the list.
        position: usize,
        /// How many keys were given.
        count: usize,
        /// Its length in bytes.
        len: usize,
    },
}

/// Checks a list of keys as [`Signer::new`] does, without building one.
pub fn check_keys<K: AsRef<[u8]>>(keys: &[K]) -> Result<(), KeyError> {
    if keys.is_empty() {
        return Err(KeyError::NoKey);
    }
    let count = keys.len();
    for (i, key) in keys.iter().enumerate() {
        let len = key.as_ref().len();
        let position = i + 1;
        if len == 0 {
            return Err(KeyError::Empty { position, count });
        }
        if len < MIN_KEY_BYTES {
            return Err(KeyError::TooShort {
                position,
                count,
                len,
            });
        }
    }
    Ok(())
}

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
    /// `exp` or `sig` appears more than once.
    #[error("the URL has more than one '{0}': a signed URL carries it once")]
    Repeated(&'static str),
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
    /// A signer over these keys; refused when there are none or one is empty or shorter
    /// than [`MIN_KEY_BYTES`] (see [`KeyError`]).
    pub fn new<K: AsRef<[u8]>>(keys: &[K]) -> Result<Self, KeyError> {
        check_keys(keys)?;
        let keys = keys
            .iter()
            .map(|k| Hmac::<Sha256>::new_from_slice(k.as_ref()).expect("HMAC takes any key length"))
            .collect();
        Ok(Signer { keys })
    }

    /// A signer when keys are given, `None` when the list is empty (a server that does not
    /// sign); a bad key is refused as by [`Signer::new`].
    pub fn optional<K: AsRef<[u8]>>(keys: &[K]) -> Result<Option<Self>, KeyError> {
        if keys.is_empty() {
            return Ok(None);
        }
        Signer::new(keys).map(Some)
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
            // 43 characters of the alphabet whose last one sets bits past the 32 bytes: the
            // shape is right, so it is a signature that does not match, not a typo'd one.
            _ if sig.len() == 43
                && sig
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') =>
            {
                return Err(SignatureError::Mismatch)
            }
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

/// Admits a GET request's params under the signing rules every front end shares (the
/// server, the Node handler): with a `signer`, a `sig` must verify (and is required when
/// `require` is set), and `sig` and `exp` are then taken out of `params`, so they are neither
/// template params nor part of the card's key. Returns the verified expiry, if the URL has
/// one. Without a signer, `params` are left as they are.
pub fn admit(
    signer: Option<&Signer>,
    require: bool,
    template: &str,
    params: &mut Vec<(String, String)>,
    now: u64,
) -> Result<Option<u64>, SignatureError> {
    let Some(signer) = signer else {
        return Ok(None);
    };
    // A second `exp` or `sig` would be read by one check and not another (the first `exp`
    // verified, the second believed): a signed URL carries each once.
    for reserved in [SIG, EXP] {
        if params.iter().filter(|(k, _)| k == reserved).count() > 1 {
            return Err(SignatureError::Repeated(reserved));
        }
    }
    let sig = params
        .iter()
        .position(|(k, _)| k == SIG)
        .map(|i| params.remove(i).1);
    let verified = match sig {
        Some(sig) => {
            signer.verify(template, params, &sig, now)?;
            true
        }
        None if require => return Err(SignatureError::Missing),
        None => false,
    };
    let exp = params
        .iter()
        .find(|(k, _)| k == EXP)
        .and_then(|(_, v)| v.parse().ok());
    params.retain(|(k, _)| k != EXP);
    Ok(exp.filter(|_| verified))
}

/// The `Cache-Control` for a card from a URL that expires at `expires` (unix seconds): a
/// shared cache must not serve it past that moment, so a public lifetime is capped at the
/// time left. `None` when `cache_control` needs no change (no expiry, or not public).
pub fn capped_cache_control(cache_control: &str, expires: Option<u64>, now: u64) -> Option<String> {
    let left = expires?.saturating_sub(now);
    if !cache_control.contains("public") {
        return None; // private, no-store: nothing to cap
    }
    let max_age = cache_control
        .split(',')
        .find_map(|d| d.trim().strip_prefix("max-age=")?.parse::<u64>().ok())
        .map_or(left, |m| m.min(left));
    Some(format!("public, max-age={max_age}, s-maxage={max_age}"))
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

    const KEY: &str = "test-key-0123456789";

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
        let s = Signer::new(&[KEY]).unwrap();
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
        let old = Signer::new(&["old-key-0123456789"]).unwrap();
        let both = Signer::new(&["new-key-0123456789", "old-key-0123456789"]).unwrap();
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
        let s = Signer::new(&[KEY]).unwrap();
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
    fn empty_short_and_missing_keys_are_refused() {
        let none: [&str; 0] = [];
        assert_eq!(Signer::new(&none).unwrap_err(), KeyError::NoKey);
        assert!(Signer::optional(&none).unwrap().is_none());
        assert_eq!(
            Signer::new(&[""]).unwrap_err(),
            KeyError::Empty {
                position: 1,
                count: 1
            }
        );
        // "k1," as a list: the second member is empty.
        assert_eq!(
            Signer::optional(&[KEY, ""]).unwrap_err(),
            KeyError::Empty {
                position: 2,
                count: 2
            }
        );
        let short = "a".repeat(MIN_KEY_BYTES - 1);
        let err = Signer::new(&[short.as_str()]).unwrap_err();
        assert!(matches!(err, KeyError::TooShort { len: 15, .. }));
        assert!(err.to_string().contains("ogmill sign --new-key"), "{err}");
        assert!(Signer::new(&["a".repeat(MIN_KEY_BYTES)]).is_ok());
    }

    #[test]
    fn a_well_shaped_signature_that_does_not_decode_exactly_is_a_mismatch() {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let s = Signer::new(&[KEY]).unwrap();
        let params = p(&[("title", "x")]);
        let sig = s.sign("t", &params);
        // 43 characters carry 258 bits for 256: the last character's two low bits are 0 in
        // a canonical signature. Set one and it no longer decodes strictly.
        let last = ALPHABET
            .iter()
            .position(|&c| c == sig.as_bytes()[42])
            .unwrap();
        assert_eq!(last % 4, 0);
        let odd = format!("{}{}", &sig[..42], ALPHABET[last + 1] as char);
        assert!(B64.decode(&odd).is_err());
        let err = s.verify("t", &params, &odd, 0).unwrap_err();
        assert_eq!(err, SignatureError::Mismatch);
        assert!(err.to_string().contains("does not match"));
    }

    #[test]
    fn signed_query_round_trips() {
        let s = Signer::new(&[KEY]).unwrap();
        let q = s.signed_query("blog", &p(&[("title", "a&b=c ü")]), Some(5));
        assert!(q.starts_with("title=a%26b%3Dc%20%C3%BC&exp=5&sig="), "{q}");
        let sig = q.rsplit_once("sig=").unwrap().1;
        let params = p(&[("title", "a&b=c ü"), ("exp", "5")]);
        assert!(s.verify("blog", &params, sig, 5).is_ok());
    }
}
