//! The signer's canonicalisation and `verify`: nothing panics, and what
//! `sign` signed, `verify` accepts.
//!
//! Input layout (text, so that seeds come from the SDK signing cases):
//! method, URL, access key, secret key and Unix seconds on one line each,
//! then `Name: value` header lines up to an empty line, then the body.
#![no_main]

use coc_core::sign::{self, AuthorizationHeader, Credentials, UnixTime};
use coc_core::{HttpRequest, Method};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (head, body) = text.split_once("\n\n").unwrap_or((&text, ""));
    let mut lines = head.split('\n');
    let mut next = || lines.next().unwrap_or_default();
    let method = match next() {
        "POST" => Method::Post,
        _ => Method::Get,
    };
    let url = next().to_owned();
    let (ak, sk) = (next().to_owned(), next().to_owned());
    let now = UnixTime::from_secs(next().trim().parse().unwrap_or(1_764_576_550));
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.to_owned(), v.trim_start().to_owned()))
        .collect();
    let mut request = HttpRequest {
        method,
        url,
        headers,
        body: body.as_bytes().to_vec(),
    };

    // Canonicalisation and parsing of whatever came in.
    let path = request.path_and_query().to_owned();
    let (p, q) = path.split_once('?').unwrap_or((&path, ""));
    let _ = (sign::canonical_uri(p), sign::canonical_query(q));
    let signable = sign::signable_headers(&request);
    let _ = sign::canonical_request(&request, &signable);
    if let Some(auth) = request.header("Authorization") {
        let _ = AuthorizationHeader::parse(auth);
    }
    let _ = sign::verify(&request, |_| Some(sk.clone()));

    // The property: a request the signer signs, the verifier accepts.
    let creds = Credentials::new(ak.clone(), sk.clone());
    if sign::sign(&mut request, &creds, now).is_ok() {
        if let Err(e) = sign::verify(&request, |k| (k == ak).then(|| sk.clone())) {
            panic!("sign then verify failed: {e}\n{request:?}");
        }
    }
});
