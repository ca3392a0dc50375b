//! The migrations are compiled into the binary (`embed_migrations!`), so a change to any of them
//! must rebuild it; without this, Cargo saw only Rust sources and kept the old set.
fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
