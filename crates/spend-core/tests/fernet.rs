//! Fernet: the spec's vectors, and interoperability with Python's
//! `cryptography` (the virtualenv `scripts/test.sh` makes under `.ci/`,
//! named by `SPEND_TEST_PYTHON`). Under `CI=true` a missing Python fails.

use std::io::Write;
use std::process::{Command, Stdio};

use base64::Engine;
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use spend_core::vault::Keyring;

fn specs() -> std::path::PathBuf {
    std::env::var_os("SPEND_SPECS")
        .map(Into::into)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/specs")
        })
        .join("fernet")
}

fn vectors(name: &str) -> Vec<Value> {
    let path = specs().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

fn unix(rfc3339: &str) -> u64 {
    time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339)
        .unwrap()
        .unix_timestamp() as u64
}

fn decode(token: &str) -> Vec<u8> {
    base64::engine::general_purpose::URL_SAFE
        .decode(token)
        .unwrap()
}

/// Every vector of the spec: generate, verify and invalid. Returns (passed, total).
fn spec_vectors() -> (usize, usize) {
    let mut passed = 0;
    let mut total = 0;
    for v in vectors("generate.json") {
        total += 1;
        let f = fernet::Fernet::new(v["secret"].as_str().unwrap()).unwrap();
        let now = unix(v["now"].as_str().unwrap());
        let src = v["src"].as_str().unwrap().as_bytes();
        let expected = decode(v["token"].as_str().unwrap());
        // The crate draws its own IV, so compare everything the IV does not
        // change (version, timestamp, length) and that both tokens read back.
        let ours = f.encrypt_at_time(src, now);
        let ours_raw = decode(&ours);
        let same_frame = ours_raw[..9] == expected[..9] && ours_raw.len() == expected.len();
        let reads = f
            .decrypt_at_time(v["token"].as_str().unwrap(), None, now)
            .ok()
            .as_deref()
            == Some(src)
            && f.decrypt_at_time(&ours, None, now).ok().as_deref() == Some(src);
        assert!(same_frame && reads, "generate vector {v}");
        passed += 1;
    }
    for v in vectors("verify.json") {
        total += 1;
        let secret = v["secret"].as_str().unwrap();
        let f = fernet::Fernet::new(secret).unwrap();
        let token = v["token"].as_str().unwrap();
        let got = f.decrypt_at_time(
            token,
            v["ttl_sec"].as_u64(),
            unix(v["now"].as_str().unwrap()),
        );
        assert_eq!(
            got.unwrap(),
            v["src"].as_str().unwrap().as_bytes(),
            "verify vector {v}"
        );
        // The keyring (no TTL: stored secrets do not expire) reads it too.
        let keyring = Keyring::from_keys([secret]).unwrap();
        assert_eq!(
            keyring.decrypt(token).unwrap().expose_secret(),
            v["src"].as_str().unwrap()
        );
        passed += 1;
    }
    for v in vectors("invalid.json") {
        total += 1;
        let f = fernet::Fernet::new(v["secret"].as_str().unwrap()).unwrap();
        let got = f.decrypt_at_time(
            v["token"].as_str().unwrap(),
            v["ttl_sec"].as_u64(),
            unix(v["now"].as_str().unwrap()),
        );
        assert!(got.is_err(), "invalid vector accepted: {}", v["desc"]);
        passed += 1;
    }
    (passed, total)
}

const PYTHON: &str = r#"
import json, sys
from cryptography.fernet import Fernet, MultiFernet
job = json.load(sys.stdin)
if job["op"] == "encrypt":
    f = Fernet(job["key"].encode())
    out = [f.encrypt(m.encode()).decode() for m in job["messages"]]
else:
    f = MultiFernet([Fernet(k.encode()) for k in job["keys"]])
    out = [f.decrypt(t.encode()).decode() for t in job["tokens"]]
json.dump(out, sys.stdout)
"#;

fn python() -> Option<String> {
    let candidates = std::env::var("SPEND_TEST_PYTHON")
        .into_iter()
        .chain(["python3".to_owned()]);
    for python in candidates {
        let ok = Command::new(&python)
            .args(["-c", "import cryptography"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            return Some(python);
        }
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!(
            "no Python with `cryptography` under CI=true (scripts/test.sh installs it into .ci/venv)"
        );
    }
    eprintln!("SKIPPED python interop (not under CI=true): no Python with `cryptography`");
    None
}

fn run_python(python: &str, job: Value) -> Vec<String> {
    let mut child = Command::new(python)
        .args(["-c", PYTHON])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(job.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "python failed");
    serde_json::from_slice(&out.stdout).unwrap()
}

fn messages() -> Vec<String> {
    let mut m: Vec<String> = vec![
        "".into(),
        "refresh-token".into(),
        "1//0gdXk2ExampleRefreshTokenFromGoogle-abcdefghijklmnop".into(),
        "Atzr|IwEBIExampleLwaRefreshToken".into(),
        "pâss wörd ✓ 🧾".into(),
        "x".repeat(15),
        "x".repeat(16),
        "x".repeat(17),
        "y".repeat(4096),
    ];
    m.extend((0..11).map(|i| format!("secret number {i}")));
    m
}

#[test]
fn fernet_matches_the_spec_and_python() {
    let (spec_ok, spec_total) = spec_vectors();
    let Some(python) = python() else {
        println!("fernet interop: spec vectors {spec_ok}/{spec_total} (python skipped)");
        return;
    };
    let messages = messages();

    // Python encrypts with a key; the keyring decrypts.
    let key = fernet::Fernet::generate_key();
    let tokens = run_python(
        &python,
        serde_json::json!({"op": "encrypt", "key": key, "messages": messages}),
    );
    let newest = fernet::Fernet::generate_key();
    let keyring = Keyring::from_keys([newest.clone(), key.clone()]).unwrap();
    let py_to_rust = tokens
        .iter()
        .zip(&messages)
        .filter(|(t, m)| {
            keyring
                .decrypt(t)
                .map(|s| s.expose_secret() == m.as_str())
                .unwrap_or(false)
        })
        .count();

    // The keyring encrypts (newest key); Python's MultiFernet decrypts.
    let ours: Vec<String> = messages
        .iter()
        .map(|m| keyring.encrypt(&SecretString::from(m.clone())))
        .collect();
    let keys = serde_json::json!([newest, key]);
    let back = run_python(
        &python,
        serde_json::json!({"op": "decrypt", "keys": keys, "tokens": ours}),
    );
    let rust_to_py = back.iter().zip(&messages).filter(|(b, m)| b == m).count();

    println!(
        "fernet interop: python->rust {py_to_rust}/{n}, rust->python {rust_to_py}/{n}, spec vectors {spec_ok}/{spec_total}",
        n = messages.len()
    );
    assert_eq!(py_to_rust, messages.len());
    assert_eq!(rust_to_py, messages.len());
}
