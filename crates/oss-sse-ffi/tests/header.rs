//! Keeps `include/oss_sse.h` in step with the Rust signatures: regenerates it with the cbindgen
//! library from `cbindgen.toml` and fails when the checked-in file differs.
//! `OSS_SSE_BLESS=1 cargo test -p oss-sse-ffi --test header` rewrites it instead.

use std::path::{Path, PathBuf};

fn generate(crate_dir: &Path) -> Vec<u8> {
    let config =
        cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")).expect("cbindgen.toml parses");
    let bindings = cbindgen::Builder::new()
        .with_crate(crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen can read the crate");
    let mut out = Vec::new();
    bindings.write(&mut out);
    out
}

#[test]
fn checked_in_header_matches_the_rust_signatures() {
    let crate_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let header = crate_dir.join("../../include/oss_sse.h");
    let fresh = generate(&crate_dir);
    if std::env::var_os("OSS_SSE_BLESS").is_some_and(|v| v == "1") {
        std::fs::write(&header, &fresh).expect("include/oss_sse.h is writable");
        return;
    }
    let current = std::fs::read(&header).unwrap_or_default();
    assert!(
        current == fresh,
        "include/oss_sse.h is out of date with crates/oss-sse-ffi; regenerate it with\n    \
         OSS_SSE_BLESS=1 cargo test -p oss-sse-ffi --test header\nand commit the result"
    );
}

#[test]
fn header_declares_every_exported_function() {
    let crate_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let header = String::from_utf8(generate(&crate_dir)).expect("the header is UTF-8");
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(crate_dir.join("src")).expect("src/ is readable") {
        let path = entry.expect("src/ entry").path();
        let source = std::fs::read_to_string(&path).expect("source is UTF-8");
        let mut lines = source.lines().peekable();
        while let Some(line) = lines.next() {
            if line.trim() != "#[no_mangle]" {
                continue;
            }
            let Some(sig) = lines.peek() else { continue };
            if let Some(name) = sig
                .split("fn ")
                .nth(1)
                .and_then(|rest| rest.split('(').next())
            {
                if !header.contains(&format!("{name}(")) {
                    missing.push(name.to_owned());
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "functions missing from the header: {missing:?}"
    );
}
