//! The SDKs in `sdk/` against the real server, end to end: the TypeScript one under Node and the
//! Python one, each generating, waiting (with `If-None-Match`), following live status, downloading
//! and reading a problem (`sdk/typescript/test/e2e.mjs`, `sdk/python/tests/e2e.py`).
//! `scripts/check-sdks.sh` (in `just test`) checks they are generated from the committed
//! document and runs their unit tests.

use std::path::PathBuf;
use std::process::Command;

use crate::helpers::spawn_app_with;

fn root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// Runs `program args` in the repository with the server's address and key; panics with its
/// output when it fails.
async fn run(program: PathBuf, args: &[&str], base_url: &str, token: &str) {
    let mut command = Command::new(&program);
    command
        .args(args)
        .current_dir(root())
        .env("ZIMAGE_BASE_URL", base_url)
        .env("ZIMAGE_TOKEN", token);
    let out = tokio::task::spawn_blocking(move || command.output())
        .await
        .unwrap()
        .unwrap_or_else(|e| panic!("{} could not start: {e}", program.display()));
    assert!(
        out.status.success(),
        "{} {args:?} failed:\n{}\n{}",
        program.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
async fn the_typescript_and_python_sdks_work_against_the_server() {
    // Signed URLs are absolute on the public address: here, the one the SDKs reach.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let address = format!("http://127.0.0.1:{port}");
    let app = spawn_app_with(&[
        ("ZIMAGE_BIND", &format!("127.0.0.1:{port}")),
        ("ZIMAGE_PUBLIC_URL", &address),
    ])
    .await;
    let ada = app.signed_in_user("ada@example.org").await;
    let key = app
        .api_key(&ada, &["generations:read", "generations:write"])
        .await;
    let tools =
        PathBuf::from(std::env::var("HOME").unwrap()).join(".cache/zimage-tools/node_modules");
    let link = root().join("sdk/typescript/node_modules");
    if !link.exists() {
        std::os::unix::fs::symlink(&tools, &link).unwrap();
    }
    run(
        tools.join(".bin/tsc"),
        &["-p", "sdk/typescript"],
        &app.address,
        &key,
    )
    .await;
    run(
        "node".into(),
        &["sdk/typescript/test/e2e.mjs"],
        &app.address,
        &key,
    )
    .await;
    run(
        "python3".into(),
        &["sdk/python/tests/e2e.py"],
        &app.address,
        &key,
    )
    .await;
}
