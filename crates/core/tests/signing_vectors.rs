//! The published SDK-HMAC-SHA256 vectors from `coc-api.md`, byte for byte.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use coc_core::sign::{self, Credentials, UnixTime};
use coc_core::{HttpRequest, Method};
use sha2::{Digest, Sha256};
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

fn req(method: Method, url: &str, headers: &[(&str, &str)], body: &[u8]) -> HttpRequest {
    HttpRequest {
        method,
        url: url.to_owned(),
        headers: headers
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect(),
        body: body.to_vec(),
    }
}

fn names(list: &str) -> Vec<String> {
    list.split(';').map(str::to_owned).collect()
}

#[test]
fn huawei_signing_guide_vector() {
    let r = req(
        Method::Get,
        "https://service.region.example.com/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs?limit=2&marker=13551d6b-755d-4757-b956-536f674975c0",
        &[
            ("Content-Type", "application/json"),
            ("Host", "service.region.example.com"),
            ("X-Sdk-Date", "20191115T033655Z"),
        ],
        b"",
    );
    let parts = sign::signature(
        &r,
        &names("content-type;host;x-sdk-date"),
        "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc",
    );
    assert_eq!(
        hex::encode(Sha256::digest(parts.canonical_request.as_bytes())),
        "b25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a"
    );
    assert_eq!(
        parts.signature,
        "7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe"
    );

    // The full `sign` path signs every header present, which here is the same set.
    let mut signed = r.clone();
    sign::sign(
        &mut signed,
        &Credentials::new(
            "QTWAOYTTINDUT2QVKYUC",
            "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc",
        ),
        UnixTime::from_secs(0),
    )
    .unwrap();
    assert_eq!(
        signed.header("Authorization"),
        Some(
            "SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, SignedHeaders=content-type;host;x-sdk-date, Signature=7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe"
        )
    );
}

#[test]
fn go_sdk_vectors_leave_underscore_headers_out() {
    let creds = Credentials::new("AccessKey", "SecretKey");
    let mut get = req(
        Method::Get,
        "/path?limit=1",
        &[("X-Sdk-Date", "20060102T150405Z"), ("TEST_UNDERSCORE", "x")],
        b"",
    );
    sign::sign(&mut get, &creds, UnixTime::from_secs(0)).unwrap();
    assert_eq!(
        get.header("Authorization"),
        Some(
            "SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=x-sdk-date, Signature=5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624"
        )
    );

    let mut post = req(
        Method::Post,
        "/path?key=value",
        &[("X-Sdk-Date", "20060102T150405Z"), ("TEST_UNDERSCORE", "x")],
        b"{\"Name\":\"test\",\"Id\":1}\n",
    );
    sign::sign(&mut post, &creds, UnixTime::from_secs(0)).unwrap();
    assert!(
        post.header("Authorization").unwrap().ends_with(
            "Signature=cecc2af119b18ab70b4d094c0750f3b42c02f254903179a0fc2cc72fc9db4f59"
        )
    );
}

#[test]
fn python_sdk_vectors() {
    let url = "https://service.endpoint.myhuaweicloud.com/resources?size=1";
    let headers = [
        ("Host", "service.endpoint.myhuaweicloud.com"),
        ("X-Sdk-Date", "20200608T023900Z"),
    ];
    let get = sign::signature(
        &req(Method::Get, url, &headers, b""),
        &names("host;x-sdk-date"),
        "SecretKey",
    );
    assert_eq!(
        get.signature,
        "cfb4171acec81de07d50e53d57eb77edd537414d66ddb1d7d780f128e12cd842"
    );
    let post = sign::signature(
        &req(Method::Post, url, &headers, br#"{"name":"test","id":1}"#),
        &names("host;x-sdk-date"),
        "SecretKey",
    );
    assert_eq!(
        post.signature,
        "436b1ac0a1ae03705934bb70ef2f2e09f7bfed2117d731a38235053199323a1f"
    );
}

#[test]
fn sdk_date_format() {
    assert_eq!(UnixTime::from_secs(0).sdk_date(), "19700101T000000Z");
    assert_eq!(
        UnixTime::from_secs(1_573_788_615).sdk_date(),
        "20191115T033015Z"
    );
    assert_eq!(
        UnixTime::from_millis(1_136_214_245_999).sdk_date(),
        "20060102T150405Z"
    );
    assert_eq!(
        UnixTime::from_secs(951_782_400).sdk_date(),
        "20000229T000000Z"
    );
}
